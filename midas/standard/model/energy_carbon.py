"""Energy and carbon: energy use per period and per unit produced, and product carbon footprints (IDTA 02023).

The product carbon footprint collection keeps IDTA 02023's idShorts, semantics and value types; K-MDS adds
``ProductId`` to it so that a footprint names the product it belongs to.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from aas_core3.types import DataTypeDefXSD

from midas.standard.model import concepts
from midas.standard.model.elements import (
    Cardinality,
    SubmodelTemplate,
    TextFormat,
    collection_spec,
    list_spec,
    property_spec,
)
from midas.standard.model.namespace import VERSION

__all__ = ["ENERGY_CARBON"]

_STRING = DataTypeDefXSD.STRING
_DATE_TIME = DataTypeDefXSD.DATE_TIME
_DOUBLE = DataTypeDefXSD.DOUBLE
_ONE = Cardinality.ONE
_OPTIONAL = Cardinality.ZERO_TO_ONE
_WITH_OFFSET = TextFormat.DATE_TIME_WITH_OFFSET
_ZERO = Decimal(0)

_PRODUCT_CARBON_FOOTPRINT = collection_spec(
    "ProductCarbonFootprint",
    concepts.PRODUCT_CARBON_FOOTPRINT,
    Cardinality.ONE_TO_MANY,
    (
        property_spec("ProductId", concepts.PRODUCT_ID, _STRING, _ONE),
        list_spec(
            "PcfCalculationMethods",
            concepts.PCF_CALCULATION_METHODS,
            _ONE,
            property_spec("PcfCalculationMethod", concepts.PCF_CALCULATION_METHOD, _STRING, Cardinality.ONE_TO_MANY),
        ),
        property_spec("PcfCO2eq", concepts.PCF_CO2_EQUIVALENT, DataTypeDefXSD.DECIMAL, _ONE, minimum=_ZERO),
        property_spec("ReferenceImpactUnitForCalculation", concepts.REFERENCE_IMPACT_UNIT, _STRING, _ONE),
        property_spec("QuantityOfMeasureForCalculation", concepts.QUANTITY_OF_MEASURE, _DOUBLE, _ONE, minimum=_ZERO),
        list_spec(
            "LifeCyclePhases",
            concepts.LIFE_CYCLE_PHASES,
            _ONE,
            property_spec("LifeCyclePhase", concepts.LIFE_CYCLE_PHASE, _STRING, Cardinality.ONE_TO_MANY),
        ),
        property_spec("PublicationDate", concepts.PCF_PUBLICATION_DATE, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("ExpirationDate", concepts.PCF_EXPIRATION_DATE, _DATE_TIME, _OPTIONAL, text_format=_WITH_OFFSET),
    ),
)

ENERGY_CARBON: Final = SubmodelTemplate(
    id_short="EnergyCarbon",
    concept=concepts.ENERGY_CARBON,
    version=VERSION,
    elements=(
        property_spec("EquipmentId", concepts.EQUIPMENT_ID, _STRING, _ONE),
        property_spec("PeriodStart", concepts.PERIOD_START, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("PeriodEnd", concepts.PERIOD_END, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("EnergyConsumption", concepts.ENERGY_CONSUMPTION, _DOUBLE, _ONE, minimum=_ZERO),
        property_spec("ElectricityConsumption", concepts.ELECTRICITY_CONSUMPTION, _DOUBLE, _OPTIONAL, minimum=_ZERO),
        property_spec(
            "ProducedQuantity",
            concepts.PRODUCED_QUANTITY,
            DataTypeDefXSD.DECIMAL,
            _OPTIONAL,
            minimum=_ZERO,
            unit_from="QuantityUnit",
        ),
        property_spec("QuantityUnit", concepts.QUANTITY_UNIT, _STRING, _OPTIONAL),
        property_spec("EnergyPerUnit", concepts.ENERGY_PER_UNIT, _DOUBLE, _OPTIONAL, minimum=_ZERO),
        property_spec("GreenhouseGasEmissions", concepts.GREENHOUSE_GAS_EMISSIONS, _DOUBLE, _OPTIONAL, minimum=_ZERO),
        list_spec("ProductCarbonFootprints", concepts.PRODUCT_CARBON_FOOTPRINTS, _OPTIONAL, _PRODUCT_CARBON_FOOTPRINT),
    ),
)
