"""One example record per K-MDS template: a press line of a fictitious Korean supplier of brake parts.

The records are consistent with each other (the same equipment ids, periods and product) and pass every
conformance rule; the documentation publishes them, and tests start from them.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["EXAMPLE_RECORDS"]

_PRESS: Final = "HB-CW-M-L1-P01"
_SHIFT_START: Final = "2025-03-03T08:00:00+09:00"
_SHIFT_END: Final = "2025-03-03T17:00:00+09:00"

_STRUCTURE: Final[dict[str, Any]] = {
    "EntryNode": {
        "idShort": "Hanbit",
        "EquipmentId": "HB",
        "EquipmentLevel": "Enterprise",
        "Node": [
            {
                "idShort": "Changwon",
                "EquipmentId": "HB-CW",
                "EquipmentLevel": "Site",
                "Node": [
                    {
                        "idShort": "Machining",
                        "EquipmentId": "HB-CW-M",
                        "EquipmentLevel": "Area",
                        "Node": [
                            {
                                "idShort": "PressLine1",
                                "EquipmentId": "HB-CW-M-L1",
                                "EquipmentLevel": "WorkCenter",
                                "Node": [
                                    {"idShort": "Press01", "EquipmentId": _PRESS, "EquipmentLevel": "WorkUnit"},
                                    {
                                        "idShort": "Press02",
                                        "EquipmentId": "HB-CW-M-L1-P02",
                                        "EquipmentLevel": "WorkUnit",
                                    },
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    },
    "ArcheType": "Full",
}

_EQUIPMENT: Final[dict[str, Any]] = {
    "EquipmentId": _PRESS,
    "EquipmentName": {"ko": "1호 프레스", "en": "Press 1"},
    "ManufacturerName": {"ko": "한빛기계", "en": "Hanbit Machinery"},
    "ManufacturerProductDesignation": {"ko": "200톤 서보 프레스", "en": "200 t servo press"},
    "ManufacturerProductType": "HSP-200",
    "SerialNumber": "HSP200-2021-0042",
    "YearOfConstruction": "2021",
    "CountryOfOrigin": "KR",
    "ManufacturerBusinessRegistrationNumber": "123-45-67890",
    "KcCertificationNumber": "HW-2021-0042",
}

_PRODUCTION_PERFORMANCE: Final[dict[str, Any]] = {
    "WorkUnitId": _PRESS,
    "PeriodKind": "Shift",
    "PeriodStart": _SHIFT_START,
    "PeriodEnd": _SHIFT_END,
    "ShiftName": "주간",
    "OrderId": "PO-2025-0301",
    "ProductId": "BRK-100",
    "OperationId": "OP10-PRESS",
    "QuantityUnit": "pcs",
    "PlannedBusyTime": 28800,
    "PlannedRuntimePerItem": 30,
    "ActualProductionTime": 24000,
    "ActualUnitSetupTime": 1200,
    "ActualUnitProcessingTime": 25200,
    "ActualUnitDelayTime": 900,
    "ActualUnitBusyTime": 26100,
    "ActualUnitDownTime": 1800,
    "ProducedQuantity": 780,
    "GoodQuantity": 752,
    "ScrapQuantity": 18,
    "ReworkQuantity": 10,
    "InspectedPart": 780,
}

_QUALITY: Final[dict[str, Any]] = {
    "WorkUnitId": _PRESS,
    "PeriodStart": _SHIFT_START,
    "PeriodEnd": _SHIFT_END,
    "OrderId": "PO-2025-0301",
    "ProductId": "BRK-100",
    "InspectedPart": 780,
    "Defects": [{"DefectType": "DIM", "DefectCount": 12}, {"DefectType": "APP", "DefectCount": 9}],
    "InspectionResults": [
        {
            "InspectionCharacteristic": "hole diameter D10",
            "MeasuredValue": 10.02,
            "MeasurementUnit": "mm",
            "LowerSpecificationLimit": 9.95,
            "UpperSpecificationLimit": 10.05,
            "InspectionVerdict": "Pass",
            "InspectedAt": "2025-03-03T10:15:00+09:00",
        }
    ],
}

_ENERGY_CARBON: Final[dict[str, Any]] = {
    "EquipmentId": "HB-CW-M-L1",
    "PeriodStart": _SHIFT_START,
    "PeriodEnd": _SHIFT_END,
    "EnergyConsumption": 1250.5,
    "ElectricityConsumption": 1180.0,
    "ProducedQuantity": 780,
    "QuantityUnit": "pcs",
    "EnergyPerUnit": 1.6032,
    "GreenhouseGasEmissions": 574.1,
    "ProductCarbonFootprints": [
        {
            "ProductId": "BRK-100",
            "PcfCalculationMethods": ["ISO 14067"],
            "PcfCO2eq": 2.85,
            "ReferenceImpactUnitForCalculation": "piece",
            "QuantityOfMeasureForCalculation": 1,
            "LifeCyclePhases": ["A1-A3"],
            "PublicationDate": "2025-01-15T00:00:00+09:00",
            "ExpirationDate": "2026-01-15T00:00:00+09:00",
        }
    ],
}

_TIME_SERIES: Final[dict[str, Any]] = {
    "EquipmentId": _PRESS,
    "Metadata": {
        "Name": {"ko": "프레스 하중과 유온", "en": "Press force and oil temperature"},
        "Record": {"Force": "xs:double", "OilTemperature": "xs:double"},
    },
    "Segments": {
        "InternalSegment": [
            {
                "Name": {"en": "First seconds of the day shift"},
                "RecordCount": 3,
                "StartTime": "2025-03-03T08:00:00+09:00",
                "EndTime": "2025-03-03T08:00:02+09:00",
                "SamplingInterval": 1,
                "State": "Completed",
                "Records": {
                    "Record": [
                        {"Time": "2025-03-03T08:00:00+09:00", "Force": 182.4, "OilTemperature": 41.2},
                        {"Time": "2025-03-03T08:00:01+09:00", "Force": 185.1, "OilTemperature": 41.2},
                        {"Time": "2025-03-03T08:00:02+09:00", "Force": 183.7, "OilTemperature": 41.3},
                    ]
                },
            }
        ],
        "LinkedSegment": [
            {
                "Name": {"en": "History"},
                "Endpoint": "https://historian.example.com/api/v1/series",
                "Query": "equipment=HB-CW-M-L1-P01&signals=Force,OilTemperature",
            }
        ],
    },
}

_PRODUCTION_CALENDAR: Final[dict[str, Any]] = {
    "EquipmentId": "HB-CW",
    "calendar": "https://hanbit.example.com/calendars/HB-CW.ics",
    "specificationExtensionVariables": [
        {"variableName": "X_BREAK", "variableSpecification": "https://hanbit.example.com/calendars/X_BREAK.txt"},
    ],
    "Shifts": [
        {"ShiftName": "주간", "ShiftStart": "08:00:00+09:00", "ShiftEnd": "17:00:00+09:00", "BreakTime": 3600},
        {"ShiftName": "야간", "ShiftStart": "20:00:00+09:00", "ShiftEnd": "05:00:00+09:00", "BreakTime": 3600},
    ],
    "PlannedPeriods": [
        {"PeriodStart": _SHIFT_START, "PeriodEnd": _SHIFT_END, "ShiftName": "주간", "PlannedBusyTime": 28800},
    ],
}

#: The example record of each template, by template idShort.
EXAMPLE_RECORDS: Final[dict[str, dict[str, Any]]] = {
    "FactoryStructure": _STRUCTURE,
    "EquipmentIdentity": _EQUIPMENT,
    "ProductionPerformance": _PRODUCTION_PERFORMANCE,
    "Quality": _QUALITY,
    "EnergyCarbon": _ENERGY_CARBON,
    "TimeSeries": _TIME_SERIES,
    "ProductionCalendar": _PRODUCTION_CALENDAR,
}
