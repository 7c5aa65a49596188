"""Equipment identity: a subset of IDTA 02006 Digital Nameplate, with the identifiers Korean regulation uses.

The nameplate elements keep 02006's idShorts, IRDIs and value types (``YearOfConstruction`` is an
``xs:string`` there too); K-MDS adds the equipment's id in the factory structure, its name, the manufacturer's
business registration number and the KC safety certificate number.
"""

from __future__ import annotations

from typing import Final

from aas_core3.types import DataTypeDefXSD

from midas.standard.model import concepts
from midas.standard.model.elements import Cardinality, SubmodelTemplate, property_spec, text_spec
from midas.standard.model.namespace import VERSION

__all__ = ["EQUIPMENT_IDENTITY"]

_STRING = DataTypeDefXSD.STRING
_ONE = Cardinality.ONE
_OPTIONAL = Cardinality.ZERO_TO_ONE

EQUIPMENT_IDENTITY: Final = SubmodelTemplate(
    id_short="EquipmentIdentity",
    concept=concepts.EQUIPMENT_IDENTITY,
    version=VERSION,
    elements=(
        property_spec("EquipmentId", concepts.EQUIPMENT_ID, _STRING, _ONE),
        text_spec("EquipmentName", concepts.EQUIPMENT_NAME, _OPTIONAL),
        text_spec("ManufacturerName", concepts.MANUFACTURER_NAME, _ONE),
        text_spec("ManufacturerProductDesignation", concepts.MANUFACTURER_PRODUCT_DESIGNATION, _OPTIONAL),
        property_spec("ManufacturerProductType", concepts.MANUFACTURER_PRODUCT_TYPE, _STRING, _OPTIONAL),
        property_spec("SerialNumber", concepts.SERIAL_NUMBER, _STRING, _ONE),
        property_spec("YearOfConstruction", concepts.YEAR_OF_CONSTRUCTION, _STRING, _OPTIONAL, pattern=r"^[0-9]{4}$"),
        property_spec("CountryOfOrigin", concepts.COUNTRY_OF_ORIGIN, _STRING, _OPTIONAL, pattern=r"^[A-Z]{2}$"),
        property_spec(
            "ManufacturerBusinessRegistrationNumber",
            concepts.BUSINESS_REGISTRATION_NUMBER,
            _STRING,
            _OPTIONAL,
            pattern=r"^[0-9]{3}-[0-9]{2}-[0-9]{5}$",
        ),
        property_spec("KcCertificationNumber", concepts.KC_CERTIFICATION_NUMBER, _STRING, _OPTIONAL),
    ),
)
