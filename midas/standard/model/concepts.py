"""Every concept K-MDS uses, once: international ids where a standard names the concept, K-MDS ids otherwise.

International ids are copied exactly from the published files (IDTA submodel templates, the ISO 22400-2
ontology that IDTA 02066 uses, ECLASS/IEC CDD IRDIs as IDTA uses them); tests compare them with those files.
Names and definitions are given in English and Korean; English definitions of reused concepts follow their
source, shortened where the source is long.
"""

from __future__ import annotations

from typing import Final

from midas.standard.model.elements import CodeValue, Concept
from midas.standard.model.namespace import kmds_concept_id, kmds_template_id

ISO_22400_2: Final = "http://www.w3id.org/hsu-aut/ISO22400-2#"
IDTA_02066: Final = "https://admin-shell.io/idta/ProcessVariablesForManufacturingKPICalculation/"
IDTA_02011: Final = "https://admin-shell.io/idta/HierarchicalStructures/"
IDTA_02008: Final = "https://admin-shell.io/idta/TimeSeries/"
IDTA_02023: Final = "https://admin-shell.io/idta/CarbonFootprint/"
IDTA_02067: Final = "https://admin-shell.io/idta/ProductionCalendar/"

SECONDS: Final = "s"
PIECES: Final = "pcs"
KILOWATT_HOURS: Final = "kWh"
KILOGRAMS_CO2E: Final = "kg CO2e"

_KMDS: Final = "K-MDS 1.0"
_ISO_22400: Final = "ISO 22400-2:2014 (IRI as in IDTA 02066)"


def _kmds(
    name: str,
    name_en: str,
    name_ko: str,
    definition_en: str,
    definition_ko: str,
    *,
    unit: str | None = None,
    codes: tuple[CodeValue, ...] = (),
) -> Concept:
    return Concept(
        id=kmds_concept_id(name),
        name_en=name_en,
        name_ko=name_ko,
        definition_en=definition_en,
        definition_ko=definition_ko,
        source=_KMDS,
        unit=unit,
        codes=codes,
    )


def _template(name: str, name_en: str, name_ko: str, definition_en: str, definition_ko: str) -> Concept:
    return Concept(
        id=kmds_template_id(name),
        name_en=name_en,
        name_ko=name_ko,
        definition_en=definition_en,
        definition_ko=definition_ko,
        source=_KMDS,
    )


def _iso_22400(
    name: str, name_en: str, name_ko: str, definition_en: str, definition_ko: str, *, unit: str | None
) -> Concept:
    return Concept(
        id=ISO_22400_2 + name,
        name_en=name_en,
        name_ko=name_ko,
        definition_en=definition_en,
        definition_ko=definition_ko,
        source=_ISO_22400,
        unit=unit,
    )


# --- the templates themselves ------------------------------------------------------------------------------

FACTORY_STRUCTURE = _template(
    "FactoryStructure",
    "Factory structure",
    "공장 구조",
    "The equipment hierarchy of an enterprise (enterprise, site, area, work center, work unit after IEC 62264-1) "
    "as entities in the style of IDTA 02011 Hierarchical Structures.",
    "기업의 설비 계층(IEC 62264-1의 기업, 사업장, 구역, 작업장, 작업 단위)을 IDTA 02011 계층 구조 방식의 "
    "엔터티로 나타낸 것.",
)
EQUIPMENT_IDENTITY = _template(
    "EquipmentIdentity",
    "Equipment identity",
    "설비 식별 정보",
    "Who made a piece of equipment and which one it is: a subset of IDTA 02006 Digital Nameplate with the "
    "identifiers Korean regulation uses.",
    "설비의 제조사와 개체를 식별하는 정보. IDTA 02006 디지털 명판의 일부와 국내 제도가 쓰는 식별자로 이루어진다.",
)
PRODUCTION_PERFORMANCE = _template(
    "ProductionPerformance",
    "Production performance",
    "생산 실적",
    "What one work unit did in one period (a shift, a day, or the run of one order): the ISO 22400-2 process "
    "variables as IDTA 02066 models them, with the order, product and operation they belong to (IEC 62264-1 "
    "operations performance).",
    "한 작업 단위가 한 기간(교대, 하루 또는 한 오더의 수행 기간) 동안 수행한 실적. IDTA 02066이 모델링한 "
    "ISO 22400-2 공정 변수와, 실적이 속한 오더·제품·공정(IEC 62264-1 운영 실적)으로 이루어진다.",
)
QUALITY = _template(
    "Quality",
    "Quality",
    "품질",
    "Quality results of one work unit in one period: defect counts by defect type and inspection results.",
    "한 작업 단위의 한 기간 품질 실적. 불량 유형별 불량 수와 검사 결과로 이루어진다.",
)
ENERGY_CARBON = _template(
    "EnergyCarbon",
    "Energy and carbon",
    "에너지·탄소",
    "Energy use of one element of the equipment hierarchy in one period, per unit produced, with greenhouse gas "
    "emissions and product carbon footprints after IDTA 02023.",
    "설비 계층의 한 요소가 한 기간 동안 사용한 에너지와 생산 단위당 에너지, 온실가스 배출량, IDTA 02023에 따른 "
    "제품 탄소발자국.",
)
TIME_SERIES = _template(
    "TimeSeries",
    "Process time series",
    "공정 시계열",
    "Process signals of one piece of equipment after IDTA 02008 Time Series Data, recorded in the submodel "
    "(internal segments) or available from an endpoint (linked segments).",
    "한 설비의 공정 신호를 IDTA 02008 시계열 데이터 방식으로 담은 것. 서브모델 안에 기록하거나(내부 세그먼트) "
    "외부 엔드포인트에서 읽는다(연결 세그먼트).",
)
PRODUCTION_CALENDAR = _template(
    "ProductionCalendar",
    "Production calendar",
    "생산 달력",
    "Shifts and planned time of one element of the equipment hierarchy after IDTA 02067 Production Calendar.",
    "설비 계층의 한 요소의 교대와 계획 시간. IDTA 02067 생산 달력을 따른다.",
)

# --- K-MDS concepts shared by several templates ------------------------------------------------------------

EQUIPMENT_ID = _kmds(
    "EquipmentId",
    "Equipment id",
    "설비 ID",
    "Identifier of an element of the equipment hierarchy (enterprise, site, area, work center or work unit), "
    "unique within its enterprise; other K-MDS data refer to the element by it.",
    "설비 계층의 한 요소(기업, 사업장, 구역, 작업장 또는 작업 단위)의 식별자. 기업 안에서 유일하며, 다른 K-MDS "
    "데이터는 이 식별자로 그 요소를 가리킨다.",
)
EQUIPMENT_LEVEL = _kmds(
    "EquipmentLevel",
    "Equipment level",
    "설비 계층 수준",
    "Level of the element in the equipment hierarchy of IEC 62264-1; the codes are those of B2MML "
    "EquipmentElementLevel.",
    "IEC 62264-1 설비 계층에서 요소의 수준. 코드는 B2MML EquipmentElementLevel의 값을 따른다.",
    codes=(
        CodeValue("Enterprise", "Enterprise", "기업"),
        CodeValue("Site", "Site", "사업장"),
        CodeValue("Area", "Area", "구역"),
        CodeValue("WorkCenter", "Work center", "작업장"),
        CodeValue("WorkUnit", "Work unit", "작업 단위"),
    ),
)
WORK_UNIT_ID = _kmds(
    "WorkUnitId",
    "Work unit id",
    "작업 단위 ID",
    "EquipmentId of the work unit (the lowest level of the IEC 62264-1 equipment hierarchy, where production is "
    "performed) the data belong to.",
    "데이터가 속한 작업 단위(IEC 62264-1 설비 계층의 최하위 수준으로 생산이 수행되는 곳)의 설비 ID.",
)
PERIOD_KIND = _kmds(
    "PeriodKind",
    "Period kind",
    "기간 유형",
    "What the period of the record is: a shift, a calendar day, or the run of one order on the work unit.",
    "실적 기간의 종류. 교대, 하루(역일) 또는 작업 단위에서 한 오더가 수행된 기간이다.",
    codes=(
        CodeValue("Shift", "Shift", "교대"),
        CodeValue("Day", "Day", "일"),
        CodeValue("Order", "Order run", "오더 수행"),
    ),
)
PERIOD_START = _kmds(
    "PeriodStart",
    "Period start",
    "기간 시작",
    "Start of the period the data cover, inclusive, as a date-time with a time-zone offset.",
    "데이터가 다루는 기간의 시작 시각(포함). 시간대 오프셋이 있는 날짜·시각으로 쓴다.",
)
PERIOD_END = _kmds(
    "PeriodEnd",
    "Period end",
    "기간 종료",
    "End of the period the data cover, exclusive, as a date-time with a time-zone offset.",
    "데이터가 다루는 기간의 종료 시각(제외). 시간대 오프셋이 있는 날짜·시각으로 쓴다.",
)
SHIFT_NAME = _kmds(
    "ShiftName",
    "Shift name",
    "교대명",
    "Name of the shift as the production calendar of the factory calls it (for example A, Day, Night).",
    "공장의 생산 달력에서 부르는 교대의 이름(예: A조, 주간, 야간).",
)
ORDER_ID = _kmds(
    "OrderId",
    "Production order id",
    "생산 오더 ID",
    "Identifier of the production order (IEC 62264-1 operations request) the data belong to.",
    "데이터가 속한 생산 오더(IEC 62264-1 운영 요청)의 식별자.",
)
PRODUCT_ID = _kmds(
    "ProductId",
    "Product id",
    "제품 ID",
    "Identifier of the product (IEC 62264-1 material definition) the data refer to.",
    "데이터가 가리키는 제품(IEC 62264-1 자재 정의)의 식별자.",
)
OPERATION_ID = _kmds(
    "OperationId",
    "Operation id",
    "공정 ID",
    "Identifier of the operation (IEC 62264-1 operations segment) performed on the work unit.",
    "작업 단위에서 수행한 공정(IEC 62264-1 운영 세그먼트)의 식별자.",
)
QUANTITY_UNIT = _kmds(
    "QuantityUnit",
    "Quantity unit",
    "수량 단위",
    "Unit in which the quantities of the record are counted or measured; pieces when absent.",
    "실적의 수량을 세거나 재는 단위. 없으면 개(pcs)로 본다.",
    codes=(
        CodeValue("pcs", "pieces", "개"),
        CodeValue("kg", "kilogram", "킬로그램"),
        CodeValue("g", "gram", "그램"),
        CodeValue("t", "tonne", "톤"),
        CodeValue("l", "litre", "리터"),
        CodeValue("m3", "cubic metre", "세제곱미터"),
        CodeValue("m", "metre", "미터"),
        CodeValue("m2", "square metre", "제곱미터"),
    ),
)

# --- ISO 22400-2 process variables, with the IRIs and idShorts of IDTA 02066 --------------------------------

PLANNED_BUSY_TIME = _iso_22400(
    "PlannedBusyTime",
    "Planned busy time",
    "계획 가동 시간",
    "Operating time minus planned down time: the time available for the detailed planning of the work unit for "
    "expected production orders.",
    "계획 운전 시간에서 계획 정지 시간을 뺀 시간. 예정된 생산 오더를 작업 단위에 상세 계획할 수 있는 시간이다.",
    unit=SECONDS,
)
PLANNED_RUNTIME_PER_UNIT = _iso_22400(
    "PlannedRuntimePerUnit",
    "Planned run time per item",
    "단위당 계획 작업 시간",
    "The scheduled time for producing one unit.",
    "한 단위를 생산하도록 계획된 시간.",
    unit=SECONDS,
)
ACTUAL_PRODUCTION_TIME = _iso_22400(
    "ActualProductionTime",
    "Actual production time",
    "실제 생산 시간",
    "The time during which the work unit is producing; it includes only the value-adding functions.",
    "작업 단위가 생산하는 시간. 부가가치를 만드는 기능만 포함한다.",
    unit=SECONDS,
)
ACTUAL_UNIT_PROCESSING_TIME = _iso_22400(
    "ActualUnitProcessingTime",
    "Actual unit processing time",
    "실제 단위 처리 시간",
    "The time needed for setup and for production: actual production time plus actual setup time.",
    "준비와 생산에 걸린 시간. 실제 생산 시간과 실제 준비 시간의 합이다.",
    unit=SECONDS,
)
ACTUAL_UNIT_BUSY_TIME = _iso_22400(
    "ActualUnitBusyTime",
    "Actual unit busy time",
    "실제 단위 가동 시간",
    "The time the work unit is used for the execution of production orders: processing time plus delay time.",
    "작업 단위가 생산 오더 수행에 쓰인 시간. 처리 시간과 지연 시간의 합이다.",
    unit=SECONDS,
)
ACTUAL_UNIT_DOWN_TIME = _iso_22400(
    "ActualUnitDownTime",
    "Actual unit down time",
    "실제 단위 정지 시간",
    "The time within the planned busy time when the work unit is not running with orders although it is available.",
    "계획 가동 시간 중 작업 단위를 쓸 수 있는데도 오더로 가동되지 않은 시간.",
    unit=SECONDS,
)
ACTUAL_UNIT_DELAY_TIME = _iso_22400(
    "ActualUnitDelayTime",
    "Actual unit delay time",
    "실제 단위 지연 시간",
    "Time lost to malfunction-caused interruptions, minor stoppages and other unplanned intervals that extend the "
    "processing of an order.",
    "고장으로 인한 중단, 순간 정지 등 오더 처리 시간을 늘리는 계획되지 않은 시간.",
    unit=SECONDS,
)
ACTUAL_SETUP_TIME = _iso_22400(
    "ActualSetupTime",
    "Actual unit setup time",
    "실제 준비 시간",
    "The time actually consumed for the preparation of an order at a work unit.",
    "작업 단위에서 오더를 준비(셋업)하는 데 실제로 쓰인 시간.",
    unit=SECONDS,
)
ACTUAL_ORDER_EXECUTION_TIME = _iso_22400(
    "ActualOrderExecutionTime",
    "Actual order execution time",
    "실제 오더 수행 시간",
    "The time between the start and the end of a production order, including busy, transport and queuing time.",
    "생산 오더의 시작부터 종료까지의 시간. 가동, 운반, 대기 시간을 포함한다.",
    unit=SECONDS,
)
ACTUAL_PERSONNEL_WORK_TIME = _iso_22400(
    "ActualPersonnelWorkTime",
    "Actual personnel work time",
    "실제 인원 작업 시간",
    "The time personnel need for the execution of a production order.",
    "인원이 생산 오더를 수행하는 데 쓴 시간.",
    unit=SECONDS,
)
ACTUAL_PERSONNEL_ATTENDANCE_TIME = _iso_22400(
    "ActualPersonnelAttendanceTime",
    "Actual personnel attendance time",
    "실제 인원 근무 시간",
    "The time workers are actually available to work on production orders, from login to logout, excluding "
    "authorized breaks.",
    "작업자가 생산 오더에 실제로 투입될 수 있었던 시간. 출근부터 퇴근까지에서 허용된 휴식 시간을 뺀다.",
    unit=SECONDS,
)
ACTUAL_QUEUING_TIME = _iso_22400(
    "ActualQueuingTime",
    "Actual queuing time",
    "실제 대기 시간",
    "The time in which material is neither being processed nor transported.",
    "자재가 가공되지도 운반되지도 않는 시간.",
    unit=SECONDS,
)
ACTUAL_TRANSPORT_TIME = _iso_22400(
    "ActualTransportTime",
    "Actual transport time",
    "실제 운반 시간",
    "The time actually consumed for moving material between work units.",
    "작업 단위 사이에서 자재를 옮기는 데 실제로 쓰인 시간.",
    unit=SECONDS,
)
PRODUCED_QUANTITY = _iso_22400(
    "ProducedQuantity",
    "Produced quantity",
    "생산 수량",
    "The quantity the work unit produced in relation to a production order.",
    "작업 단위가 생산 오더에 대해 생산한 수량.",
    unit=None,
)
GOOD_QUANTITY = _iso_22400(
    "GoodQuantity",
    "Good quantity",
    "양품 수량",
    "The produced quantity that meets quality requirements.",
    "생산 수량 중 품질 요건을 충족한 수량.",
    unit=None,
)
SCRAP_QUANTITY = _iso_22400(
    "ScrapQuantity",
    "Scrap quantity",
    "폐기 수량",
    "The produced quantity that did not meet quality requirements and has to be scrapped or recycled.",
    "생산 수량 중 품질 요건을 충족하지 못해 폐기하거나 재활용해야 하는 수량.",
    unit=None,
)
REWORK_QUANTITY = _iso_22400(
    "ReworkQuantity",
    "Rework quantity",
    "재작업 수량",
    "The produced quantity that missed the quality requirements but can meet them by subsequent work.",
    "생산 수량 중 품질 요건을 충족하지 못했으나 후속 작업으로 충족할 수 있는 수량.",
    unit=None,
)
GOOD_PART = _iso_22400(
    "GoodPart",
    "Good parts",
    "양품 부품 수",
    "Number of individually identifiable parts (for example by serial number) that meet the quality requirements.",
    "품질 요건을 충족한, 개별 식별 가능한(예: 일련번호) 부품의 수.",
    unit=PIECES,
)
INSPECTED_PART = _iso_22400(
    "InspectedPart",
    "Inspected parts",
    "검사 부품 수",
    "Number of individually identifiable parts that were tested against the quality requirements.",
    "품질 요건에 대해 검사한, 개별 식별 가능한 부품의 수.",
    unit=PIECES,
)

# --- IDTA 02066: the parts of each process variable ---------------------------------------------------------

PROCESS_VARIABLE_KEY = Concept(
    id=IDTA_02066 + "key/1/0",
    name_en="Key",
    name_ko="키",
    definition_en="Abbreviation ISO 22400-2:2014 gives the process variable (for example PBT).",
    definition_ko="ISO 22400-2:2014가 공정 변수에 부여한 약어(예: PBT).",
    source="IDTA 02066",
)
PROCESS_VARIABLE_CURRENT_VALUE = Concept(
    id=IDTA_02066 + "currentValue/1/0",
    name_en="Current value",
    name_ko="현재 값",
    definition_en="Current value of the process variable.",
    definition_ko="공정 변수의 현재 값.",
    source="IDTA 02066",
)
PROCESS_VARIABLE_COMMENT = Concept(
    id=IDTA_02066 + "comment/1/0",
    name_en="Comment",
    name_ko="설명",
    definition_en="Optional comment on the process variable.",
    definition_ko="공정 변수에 대한 설명(선택).",
    source="IDTA 02066",
)

# --- IDTA 02011 Hierarchical Structures ---------------------------------------------------------------------

ENTRY_NODE = Concept(
    id=IDTA_02011 + "EntryNode/1/0",
    name_en="Entry node",
    name_ko="진입 노드",
    definition_en="Entry point of the entity tree: the asset the submodel's AAS administrates (in K-MDS, the "
    "enterprise or site).",
    definition_ko="엔터티 트리의 시작점. 서브모델이 속한 AAS가 관리하는 자산이다(K-MDS에서는 기업 또는 사업장).",
    source="IDTA 02011",
)
NODE = Concept(
    id=IDTA_02011 + "Node/1/0",
    name_en="Node",
    name_ko="노드",
    definition_en="One element of the hierarchy below the entry node.",
    definition_ko="진입 노드 아래 계층의 한 요소.",
    source="IDTA 02011",
)
HAS_PART = Concept(
    id=IDTA_02011 + "HasPart/1/0",
    name_en="Has part",
    name_ko="하위 구성 요소",
    definition_en="Relationship from an element (first) to one of its parts (second). IDTA 02011 uses either "
    "HasPart or IsPartOf, not both; K-MDS structures (ArcheType Full) use HasPart, one in each entity for every "
    "node nested in it.",
    definition_ko="한 요소(first)에서 그 구성 요소(second)로의 관계. IDTA 02011은 HasPart와 IsPartOf 중 하나만 "
    "쓴다. K-MDS 구조(ArcheType Full)는 HasPart를 쓰며, 각 엔터티 안에 중첩된 노드마다 하나씩 둔다.",
    source="IDTA 02011",
)
IS_PART_OF = Concept(
    id=IDTA_02011 + "IsPartOf/1/0",
    name_en="Is part of",
    name_ko="상위 구성 요소",
    definition_en="Relationship from an element (first) to the element it is part of (second). IDTA 02011 uses "
    "either IsPartOf or HasPart, not both; K-MDS structures (ArcheType Full) use HasPart, so they have no "
    "IsPartOf.",
    definition_ko="한 요소(first)에서 그것을 포함하는 상위 요소(second)로의 관계. IDTA 02011은 IsPartOf와 "
    "HasPart 중 하나만 쓴다. K-MDS 구조(ArcheType Full)는 HasPart를 쓰므로 IsPartOf를 두지 않는다.",
    source="IDTA 02011",
)
ARCHE_TYPE = Concept(
    id=IDTA_02011 + "ArcheType/1/0",
    name_en="Archetype",
    name_ko="구조 원형",
    definition_en="How much of the hierarchy the submodel holds, and so which way its links point: Full (the "
    "whole tree) and OneDown (the entry node and its parts) state them downwards by HasPart, OneUp (the entry node "
    "and what it is part of) upwards by IsPartOf. K-MDS describes the whole factory, so it is always Full.",
    definition_ko="서브모델이 담는 계층의 범위이자 연결의 방향: Full(트리 전체)과 OneDown(진입 노드와 그 구성 "
    "요소)은 HasPart로 아래로, OneUp(진입 노드와 그것을 포함하는 상위 요소)은 IsPartOf로 위로 밝힌다. K-MDS는 "
    "공장 전체를 기술하므로 항상 Full이다.",
    source="IDTA 02011",
    codes=(
        CodeValue("Full", "Full", "전체"),
        CodeValue("OneDown", "One level down", "한 단계 아래"),
        CodeValue("OneUp", "One level up", "한 단계 위"),
    ),
)

# --- IDTA 02006 Digital Nameplate (IEC CDD IRDIs) ------------------------------------------------------------

_NAMEPLATE = "IDTA 02006 (IEC 61987 CDD)"

MANUFACTURER_NAME = Concept(
    id="0112/2///61987#ABA565#009",
    name_en="Manufacturer name",
    name_ko="제조사명",
    definition_en="Legally valid designation of the person directly responsible for the design, production, "
    "packaging and labelling of the product.",
    definition_ko="제품의 설계, 생산, 포장, 표시에 직접 책임을 지는 자연인 또는 법인의 법적 명칭.",
    source=_NAMEPLATE,
)
MANUFACTURER_PRODUCT_DESIGNATION = Concept(
    id="0112/2///61987#ABA567#009",
    name_en="Manufacturer product designation",
    name_ko="제조사 제품 명칭",
    definition_en="Short description of the product, the lowest level of the manufacturer's product hierarchy.",
    definition_ko="제품의 짧은 설명. 제조사 제품 계층의 최하위 수준이다.",
    source=_NAMEPLATE,
)
MANUFACTURER_PRODUCT_TYPE = Concept(
    id="0112/2///61987#ABA300#008",
    name_en="Manufacturer product type",
    name_ko="제조사 제품 형식",
    definition_en="Characteristic that tells apart the products of a product family or special variants.",
    definition_ko="제품군 안의 제품이나 특수 사양을 구별하는 형식명.",
    source=_NAMEPLATE,
)
SERIAL_NUMBER = Concept(
    id="0112/2///61987#ABA951#009",
    name_en="Serial number",
    name_ko="일련번호",
    definition_en="Unique combination of numbers and letters that identifies the device once it has been manufactured.",
    definition_ko="제조된 설비 개체를 식별하는 숫자와 문자의 고유한 조합.",
    source=_NAMEPLATE,
)
YEAR_OF_CONSTRUCTION = Concept(
    id="0112/2///61987#ABP000#002",
    name_en="Year of construction",
    name_ko="제조 연도",
    definition_en="Year in which the manufacturing process was completed, as four digits.",
    definition_ko="제조 공정이 완료된 연도(네 자리 숫자).",
    source=_NAMEPLATE,
)
COUNTRY_OF_ORIGIN = Concept(
    id="0112/2///61987#ABP462#001",
    name_en="Country of origin",
    name_ko="원산지",
    definition_en="Country where the product was manufactured, as an ISO 3166-1 alpha-2 code.",
    definition_ko="제품이 제조된 국가. ISO 3166-1 두 글자 코드로 쓴다.",
    source=_NAMEPLATE,
)

# --- K-MDS additions for equipment ---------------------------------------------------------------------------

EQUIPMENT_NAME = _kmds(
    "EquipmentName",
    "Equipment name",
    "설비명",
    "Name the factory uses for the equipment.",
    "공장에서 부르는 설비의 이름.",
)
BUSINESS_REGISTRATION_NUMBER = _kmds(
    "ManufacturerBusinessRegistrationNumber",
    "Manufacturer business registration number",
    "제조사 사업자등록번호",
    "Korean business registration number of the manufacturer, written NNN-NN-NNNNN.",
    "제조사의 사업자등록번호. NNN-NN-NNNNN 형식으로 쓴다.",
)
KC_CERTIFICATION_NUMBER = _kmds(
    "KcCertificationNumber",
    "KC certification number",
    "KC 인증번호",
    "Number of the Korean safety certificate (KC mark) of the equipment, where the equipment needs one.",
    "설비의 안전인증(KC 마크) 번호. 인증 대상 설비인 경우에 쓴다.",
)

# --- quality -------------------------------------------------------------------------------------------------

DEFECTS = _kmds(
    "Defects",
    "Defects",
    "불량 내역",
    "Defect counts of the period, one entry per defect type.",
    "기간 중 발생한 불량 수. 불량 유형마다 한 항목이다.",
)
DEFECT = _kmds(
    "Defect",
    "Defect count by type",
    "유형별 불량",
    "Number of defects of one defect type.",
    "한 불량 유형의 불량 수.",
)
DEFECT_TYPE = _kmds(
    "DefectType",
    "Defect type",
    "불량 유형",
    "Kind of defect, from the K-MDS defect type code list.",
    "불량의 종류. K-MDS 불량 유형 코드 목록의 값이다.",
    codes=(
        CodeValue("DIM", "dimensional defect", "치수 불량"),
        CodeValue("APP", "appearance or surface defect", "외관 불량"),
        CodeValue("FUN", "functional defect", "기능 불량"),
        CodeValue("MAT", "material defect", "재질 불량"),
        CodeValue("ASM", "assembly defect", "조립 불량"),
        CodeValue("FOR", "foreign matter", "이물 혼입"),
        CodeValue("PKG", "packaging defect", "포장 불량"),
        CodeValue("LBL", "marking or labelling defect", "표시 불량"),
        CodeValue("ETC", "other defect", "기타 불량"),
    ),
)
DEFECT_COUNT = _kmds(
    "DefectCount",
    "Defect count",
    "불량 수",
    "Number of defects found; one part may have several defects.",
    "발견된 불량의 수. 한 부품에 불량이 여럿일 수 있다.",
    unit=PIECES,
)
INSPECTION_RESULTS = _kmds(
    "InspectionResults",
    "Inspection results",
    "검사 결과",
    "Results of the inspections made in the period.",
    "기간 중 수행한 검사의 결과.",
)
INSPECTION_RESULT = _kmds(
    "InspectionResult",
    "Inspection result",
    "검사 결과 항목",
    "Result of inspecting one characteristic.",
    "한 검사 항목의 결과.",
)
INSPECTION_CHARACTERISTIC = _kmds(
    "InspectionCharacteristic",
    "Inspection characteristic",
    "검사 항목",
    "Name or code of the characteristic inspected (for example a dimension on the drawing).",
    "검사한 특성의 이름이나 코드(예: 도면의 치수 항목).",
)
MEASURED_VALUE = _kmds(
    "MeasuredValue",
    "Measured value",
    "측정값",
    "Value measured for the characteristic, in the unit given by MeasurementUnit.",
    "검사 항목에 대해 측정한 값. 단위는 MeasurementUnit을 따른다.",
)
MEASUREMENT_UNIT = _kmds(
    "MeasurementUnit",
    "Measurement unit",
    "측정 단위",
    "Unit of the measured value and of the specification limits (for example mm).",
    "측정값과 규격 한계의 단위(예: mm).",
)
LOWER_SPECIFICATION_LIMIT = _kmds(
    "LowerSpecificationLimit",
    "Lower specification limit",
    "규격 하한",
    "Smallest value that conforms to the specification.",
    "규격에 적합한 가장 작은 값.",
)
UPPER_SPECIFICATION_LIMIT = _kmds(
    "UpperSpecificationLimit",
    "Upper specification limit",
    "규격 상한",
    "Largest value that conforms to the specification.",
    "규격에 적합한 가장 큰 값.",
)
INSPECTION_VERDICT = _kmds(
    "InspectionVerdict",
    "Inspection verdict",
    "판정",
    "Whether the inspected characteristic conforms to the specification.",
    "검사 항목이 규격에 적합한지에 대한 판정.",
    codes=(
        CodeValue("Pass", "pass", "합격"),
        CodeValue("Fail", "fail", "불합격"),
    ),
)
INSPECTED_AT = _kmds(
    "InspectedAt",
    "Inspected at",
    "검사 시각",
    "When the inspection was made, as a date-time with a time-zone offset.",
    "검사를 수행한 시각. 시간대 오프셋이 있는 날짜·시각으로 쓴다.",
)

# --- energy and carbon ---------------------------------------------------------------------------------------

ENERGY_CONSUMPTION = _kmds(
    "EnergyConsumption",
    "Energy consumption",
    "에너지 사용량",
    "Final energy used in the period, all carriers converted to kilowatt hours.",
    "기간 동안 사용한 최종 에너지. 모든 에너지원을 킬로와트시로 환산한 값이다.",
    unit=KILOWATT_HOURS,
)
ELECTRICITY_CONSUMPTION = _kmds(
    "ElectricityConsumption",
    "Electricity consumption",
    "전력 사용량",
    "Electrical energy used in the period; part of the energy consumption.",
    "기간 동안 사용한 전력량. 에너지 사용량의 일부이다.",
    unit=KILOWATT_HOURS,
)
ENERGY_PER_UNIT = _kmds(
    "EnergyPerUnit",
    "Energy per unit produced",
    "생산 단위당 에너지 사용량",
    "Energy consumption divided by the produced quantity, in kilowatt hours per unit of QuantityUnit.",
    "에너지 사용량을 생산 수량으로 나눈 값. 수량 단위(QuantityUnit) 하나당 킬로와트시이다.",
    unit="kWh/unit",
)
GREENHOUSE_GAS_EMISSIONS = _kmds(
    "GreenhouseGasEmissions",
    "Greenhouse gas emissions",
    "온실가스 배출량",
    "Greenhouse gas emissions caused by the energy used in the period (scope 1 and 2), in kilograms of CO2 equivalent.",
    "기간 동안 사용한 에너지로 인한 온실가스 배출량(스코프 1, 2). 이산화탄소 환산 킬로그램으로 쓴다.",
    unit=KILOGRAMS_CO2E,
)

_CARBON = "IDTA 02023"
_ECLASS = "IDTA 02023 (ECLASS)"

PRODUCT_CARBON_FOOTPRINTS = Concept(
    id=IDTA_02023 + "ProductCarbonFootprints/1/0",
    name_en="Product carbon footprints",
    name_ko="제품 탄소발자국 목록",
    definition_en="Carbon footprints of products, each for one calculation method and set of life cycle phases.",
    definition_ko="제품 탄소발자국의 목록. 각 항목은 하나의 산정 방법과 생애주기 단계에 대한 것이다.",
    source=_CARBON,
)
PRODUCT_CARBON_FOOTPRINT = Concept(
    id=IDTA_02023 + "ProductCarbonFootprint/1/0",
    name_en="Product carbon footprint",
    name_ko="제품 탄소발자국",
    definition_en="Greenhouse gas emissions of one product along the given life cycle phases.",
    definition_ko="주어진 생애주기 단계에 걸친 한 제품의 온실가스 배출량.",
    source=_CARBON,
)
PCF_CALCULATION_METHODS = Concept(
    id=IDTA_02023 + "PcfCalculationMethods/1/0",
    name_en="PCF calculation methods",
    name_ko="탄소발자국 산정 방법 목록",
    definition_en="Standards or methods used to determine the greenhouse gas emissions of the product.",
    definition_ko="제품의 온실가스 배출량을 산정하는 데 쓴 표준이나 방법의 목록.",
    source=_CARBON,
)
PCF_CALCULATION_METHOD = Concept(
    id="0173-1#02-ABG854#003",
    name_en="Impact assessment method / calculation method",
    name_ko="탄소발자국 산정 방법",
    definition_en="Standard or method for determining the greenhouse gas emissions of a product.",
    definition_ko="제품의 온실가스 배출량을 산정하는 표준 또는 방법.",
    source=_ECLASS,
    codes=(
        CodeValue("EN 15804", "EN 15804", "EN 15804", "0173-1#07-ABU223#003"),
        CodeValue("GHG Protocol", "GHG Protocol", "GHG 프로토콜", "0173-1#07-ABU221#003"),
        CodeValue("IEC TS 63058", "IEC TS 63058", "IEC TS 63058", "0173-1#07-ABU222#003"),
        CodeValue("IEC 63366", "IEC 63366", "IEC 63366", "0173-1#07-ACA792#002"),
        CodeValue("ISO 14040, ISO 14044", "ISO 14040, ISO 14044", "ISO 14040, ISO 14044", "0173-1#07-ABV505#003"),
        CodeValue("ISO 14067", "ISO 14067", "ISO 14067", "0173-1#07-ABU218#003"),
        CodeValue("PEP Ecopassport", "PEP Ecopassport", "PEP Ecopassport", "0173-1#07-ABU220#003"),
        CodeValue("PACT v1.0.1", "PACT v1.0.1", "PACT v1.0.1", "0173-1#07-ACC004#001"),
        CodeValue("PACT v2.0.0", "PACT v2.0.0", "PACT v2.0.0", "0173-1#07-ACC003#001"),
        CodeValue("PACT v3.0.0", "PACT v3.0.0", "PACT v3.0.0", "0173-1#07-ACC012#001"),
        CodeValue("TFS v2", "TFS v2", "TFS v2", "0173-1#07-ACC005#001"),
        CodeValue("TFS v3", "TFS v3", "TFS v3", "0173-1#07-ACC010#001"),
        CodeValue("Catena-X v1", "Catena-X v1", "Catena-X v1", "0173-1#07-ACC007#001"),
        CodeValue("Catena-X v2", "Catena-X v2", "Catena-X v2", "0173-1#07-ACC006#001"),
        CodeValue("Catena-X v3", "Catena-X v3", "Catena-X v3", "0173-1#07-ACC011#001"),
        CodeValue("BS PAS 2050", "BS PAS 2050", "BS PAS 2050", "0173-1#07-ACC008#001"),
        CodeValue("IEC 63372", "IEC 63372", "IEC 63372", "0173-1#07-ACC019#001"),
    ),
)
PCF_CO2_EQUIVALENT = Concept(
    id="0173-1#02-ABG855#003",
    name_en="CO2 equivalent - total (for PCF and LCA)",
    name_ko="이산화탄소 환산량 합계",
    definition_en="Sum of all greenhouse gas emissions of a product according to the quantification requirements "
    "of the standard, in kilograms of CO2 equivalent.",
    definition_ko="표준의 정량화 요건에 따른 제품의 모든 온실가스 배출량의 합. 이산화탄소 환산 킬로그램으로 쓴다.",
    source=_ECLASS,
    unit=KILOGRAMS_CO2E,
)
REFERENCE_IMPACT_UNIT = Concept(
    id="0173-1#02-ABG856#003",
    name_en="Reference value for calculation",
    name_ko="산정 기준 단위",
    definition_en="Quantity unit of the product to which the carbon footprint refers.",
    definition_ko="탄소발자국이 기준으로 삼는 제품의 수량 단위.",
    source=_ECLASS,
    codes=(
        CodeValue("g", "gram", "그램", "0173-1#07-ABZ596#003"),
        CodeValue("kg", "kilogram", "킬로그램", "0173-1#07-ABZ597#003"),
        CodeValue("t", "tonne", "톤", "0173-1#07-ABZ598#003"),
        CodeValue("ml", "millilitre", "밀리리터", "0173-1#07-ABZ599#003"),
        CodeValue("l", "litre", "리터", "0173-1#07-ABZ600#003"),
        CodeValue("cbm", "cubic metre", "세제곱미터", "0173-1#07-ABZ601#003"),
        CodeValue("qm", "square metre", "제곱미터", "0173-1#07-ABZ602#003"),
        CodeValue("piece", "piece", "개", "0173-1#07-ABZ603#003"),
        CodeValue("kWh", "kilowatt hour", "킬로와트시", "0173-1#07-ACB997#001"),
    ),
)
QUANTITY_OF_MEASURE = Concept(
    id="0173-1#02-ABG857#003",
    name_en="Quantity of measure for calculation",
    name_ko="산정 기준 수량",
    definition_en="Number of pieces, or mass or volume, of the product the carbon footprint is computed for.",
    definition_ko="탄소발자국을 산정한 제품의 개수, 질량 또는 부피.",
    source=_ECLASS,
)
LIFE_CYCLE_PHASES = Concept(
    id=IDTA_02023 + "LifeCyclePhases/1/0",
    name_en="Life cycle phases",
    name_ko="생애주기 단계 목록",
    definition_en="Life cycle phases of the product the carbon footprint covers.",
    definition_ko="탄소발자국이 포함하는 제품 생애주기 단계의 목록.",
    source=_CARBON,
)
LIFE_CYCLE_PHASE = Concept(
    id="0173-1#02-ABG858#003",
    name_en="Life cycle phase (acc. EN 15804)",
    name_ko="생애주기 단계",
    definition_en="Life cycle stage of the product (EN 15804) to which the carbon footprint refers.",
    definition_ko="탄소발자국이 가리키는 제품의 생애주기 단계(EN 15804).",
    source=_ECLASS,
    codes=(
        CodeValue(
            "A1 - raw material supply (and upstream production)",
            "A1 raw material supply",
            "A1 원료 공급",
            "0173-1#07-ABU208#003",
        ),
        CodeValue(
            "A2 - cradle-to-gate transport to factory",
            "A2 transport to factory",
            "A2 공장까지 운송",
            "0173-1#07-ABU209#003",
        ),
        CodeValue("A3 - production", "A3 production", "A3 생산", "0173-1#07-ABU210#003"),
        CodeValue("A1-A3", "A1 to A3", "A1~A3", "0173-1#07-ABZ789#003"),
        CodeValue(
            "A4 - transport to final destination",
            "A4 transport to final destination",
            "A4 최종 목적지까지 운송",
            "0173-1#07-ABU211#003",
        ),
        CodeValue("A4-A5", "A4 to A5", "A4~A5", "0173-1#07-ACC013#001"),
        CodeValue("A5 - Installation", "A5 installation", "A5 설치", "0173-1#07-ACC016#001"),
        CodeValue("B1 - usage phase", "B1 use", "B1 사용", "0173-1#07-ABU212#003"),
        CodeValue("B1-B7", "B1 to B7", "B1~B7", "0173-1#07-ACC014#001"),
        CodeValue("B2 - maintenance", "B2 maintenance", "B2 유지보수", "0173-1#07-ABV498#003"),
        CodeValue("B3 - repair", "B3 repair", "B3 수리", "0173-1#07-ABV497#003"),
        CodeValue("B4 - Replacement", "B4 replacement", "B4 교체", "0173-1#07-ACC017#001"),
        CodeValue("B5 - update/upgrade, refurbishing", "B5 refurbishment", "B5 개량·재생", "0173-1#07-ABV499#003"),
        CodeValue(
            "B6 - usage energy consumption", "B6 operational energy use", "B6 사용 에너지", "0173-1#07-ABV500#003"
        ),
        CodeValue("B7 - usage water consumption", "B7 operational water use", "B7 사용 용수", "0173-1#07-ABV501#003"),
        CodeValue("C1 - reassembly", "C1 deconstruction", "C1 해체", "0173-1#07-ABV502#003"),
        CodeValue("C1-C4", "C1 to C4", "C1~C4", "0173-1#07-ACC015#001"),
        CodeValue(
            "C2 - transport to recycler", "C2 transport to recycler", "C2 재활용처까지 운송", "0173-1#07-ABU213#003"
        ),
        CodeValue("C2-C4", "C2 to C4", "C2~C4", "0173-1#07-ACC018#001"),
        CodeValue(
            "C3 - recycling, waste treatment", "C3 waste processing", "C3 재활용·폐기물 처리", "0173-1#07-ABV503#003"
        ),
        CodeValue("C4 - landfill", "C4 disposal", "C4 매립", "0173-1#07-ABV504#003"),
        CodeValue("D - reuse", "D reuse", "D 재사용", "0173-1#07-ABU214#003"),
    ),
)
PCF_PUBLICATION_DATE = Concept(
    id=IDTA_02023 + "PublicationDate/1/0",
    name_en="Publication date",
    name_ko="공표일",
    definition_en="When the carbon footprint was first published.",
    definition_ko="탄소발자국을 처음 공표한 시각.",
    source=_CARBON,
)
PCF_EXPIRATION_DATE = Concept(
    id=IDTA_02023 + "ExpirationDate/1/0",
    name_en="Expiration date",
    name_ko="만료일",
    definition_en="When the carbon footprint stops being valid.",
    definition_ko="탄소발자국의 유효 기간이 끝나는 시각.",
    source=_CARBON,
)

# --- IDTA 02008 Time Series Data ------------------------------------------------------------------------------

_TIME_SERIES = "IDTA 02008"


def _time_series(
    path: str, name_en: str, name_ko: str, definition_en: str, definition_ko: str, unit: str | None = None
) -> Concept:
    return Concept(
        id=IDTA_02008 + path + "/1/1",
        name_en=name_en,
        name_ko=name_ko,
        definition_en=definition_en,
        definition_ko=definition_ko,
        source=_TIME_SERIES,
        unit=unit,
    )


TS_METADATA = _time_series(
    "Metadata", "Metadata", "메타데이터", "Data describing the time series.", "시계열을 설명하는 데이터."
)
TS_METADATA_NAME = _time_series(
    "Metadata/Name", "Name", "이름", "Meaningful name of the time series.", "시계열의 이름."
)
TS_METADATA_DESCRIPTION = _time_series(
    "Metadata/Description", "Description", "설명", "Short description of the time series.", "시계열에 대한 짧은 설명."
)
TS_RECORD = _time_series(
    "Record",
    "Record",
    "레코드",
    "One row of the time series: a time stamp and the values of the signals at that time. In the metadata, the "
    "record lists the signals without values.",
    "시계열의 한 행. 시각과 그 시각의 신호 값으로 이루어진다. 메타데이터에서는 값 없이 신호의 목록을 나타낸다.",
)
TS_UTC_TIME = _time_series(
    "UtcTime",
    "UTC time",
    "UTC 시각",
    "Point in time on the UTC time scale (ISO 8601), as IDTA 02008-1-1 Table 10 defines it.",
    "UTC 시간 척도의 시점(ISO 8601). IDTA 02008-1-1 표 10의 정의를 따른다.",
)
TS_SEGMENTS = _time_series(
    "Segments", "Segments", "세그먼트 목록", "The segments of the time series.", "시계열의 세그먼트들."
)
TS_INTERNAL_SEGMENT = _time_series(
    "Segments/InternalSegment",
    "Internal segment",
    "내부 세그먼트",
    "Records of a period held in the submodel itself.",
    "한 기간의 레코드를 서브모델 안에 담은 세그먼트.",
)
TS_LINKED_SEGMENT = _time_series(
    "Segments/LinkedSegment",
    "Linked segment",
    "연결 세그먼트",
    "Records of a period available from an API endpoint.",
    "한 기간의 레코드를 API 엔드포인트에서 읽는 세그먼트.",
)
TS_SEGMENT_NAME = _time_series("Segment/Name", "Name", "이름", "Meaningful name of the segment.", "세그먼트의 이름.")
TS_SEGMENT_DESCRIPTION = _time_series(
    "Segment/Description", "Description", "설명", "Short description of the segment.", "세그먼트에 대한 짧은 설명."
)
TS_RECORD_COUNT = _time_series(
    "Segment/RecordCount",
    "Record count",
    "레코드 수",
    "How many records the segment holds.",
    "세그먼트에 담긴 레코드의 수.",
)
TS_START_TIME = _time_series(
    "Segment/StartTime",
    "Start time",
    "시작 시각",
    "First recorded time stamp of the segment; in K-MDS a date-time with a time-zone offset.",
    "세그먼트에서 처음 기록된 시각. K-MDS에서는 시간대 오프셋이 있는 날짜·시각으로 쓴다.",
)
TS_END_TIME = _time_series(
    "Segment/EndTime",
    "End time",
    "종료 시각",
    "Last recorded time stamp of the segment; in K-MDS a date-time with a time-zone offset.",
    "세그먼트에서 마지막으로 기록된 시각. K-MDS에서는 시간대 오프셋이 있는 날짜·시각으로 쓴다.",
)
TS_SAMPLING_INTERVAL = _time_series(
    "Segment/SamplingInterval",
    "Sampling interval",
    "샘플링 간격",
    "Time between two records.",
    "두 레코드 사이의 시간 간격.",
    unit=SECONDS,
)
TS_SAMPLING_RATE = _time_series(
    "Segment/SamplingRate",
    "Sampling rate",
    "샘플링 속도",
    "Records per second of a regular time series.",
    "규칙적인 시계열의 초당 레코드 수.",
    unit="Hz",
)
TS_STATE = _time_series(
    "Segment/State",
    "State",
    "상태",
    "Progress of the segment (for example in progress, completed).",
    "세그먼트의 진행 상태(예: 진행 중, 완료).",
)
TS_LAST_UPDATE = _time_series(
    "Segment/LastUpdate",
    "Last update",
    "최종 갱신 시각",
    "When the segment last changed; in K-MDS a date-time with a time-zone offset.",
    "세그먼트가 마지막으로 바뀐 시각. K-MDS에서는 시간대 오프셋이 있는 날짜·시각으로 쓴다.",
)
TS_RECORDS = _time_series(
    "Records",
    "Records",
    "레코드 목록",
    "The records of an internal segment in time order.",
    "내부 세그먼트의 레코드들(시간순).",
)
TS_ENDPOINT = _time_series(
    "Endpoint",
    "Endpoint",
    "엔드포인트",
    "Location of the API resource that returns the records.",
    "레코드를 돌려주는 API 자원의 위치.",
)
TS_QUERY = _time_series(
    "Query",
    "Query",
    "조회식",
    "Query that reads the records from the endpoint.",
    "엔드포인트에서 레코드를 읽는 조회식.",
)

# --- IDTA 02067 Production Calendar and K-MDS shifts -----------------------------------------------------------

CALENDAR_FILE = Concept(
    id=IDTA_02067 + "calendar/1/0",
    name_en="Calendar",
    name_ko="달력 파일",
    definition_en="The calendar as an iCalendar file (RFC 5545, text/calendar).",
    definition_ko="iCalendar 파일(RFC 5545, text/calendar)로 된 달력.",
    source="IDTA 02067",
)
CALENDAR_INHERITED_FROM = Concept(
    id=IDTA_02067 + "inheritedFrom/1/0",
    name_en="Inherited from",
    name_ko="상위 달력",
    definition_en="Reference to a superordinate calendar this calendar inherits from (for example the site's).",
    definition_ko="이 달력이 물려받는 상위 달력(예: 사업장 달력)에 대한 참조.",
    source="IDTA 02067",
)
CALENDAR_EXTENSION_VARIABLES = Concept(
    id=IDTA_02067 + "specificationExtensionVariables/1/0",
    name_en="Specification extension variables",
    name_ko="달력 확장 변수",
    definition_en="Variables that extend the iCalendar format of the calendar file, each given by its name and a "
    "human-readable specification; IDTA 02067 uses this id for the list and for each of its items.",
    definition_ko="달력 파일의 iCalendar 형식을 확장하는 변수들. 각 변수는 이름과 사람이 읽는 명세로 밝힌다. "
    "IDTA 02067은 이 ID를 목록과 그 각 항목에 함께 쓴다.",
    source="IDTA 02067",
)
CALENDAR_VARIABLE_NAME = Concept(
    id=IDTA_02067 + "variableName/1/0",
    name_en="Variable name",
    name_ko="변수명",
    definition_en="Name of an extension variable as the calendar file uses it, for example those of IDTA 02067: "
    "X_BREAK (breaks), X_PRODUCTION_DAY (time the asset produces), X_MAINTENANCE (maintenance or repair).",
    definition_ko="달력 파일에서 쓰는 확장 변수의 이름. 예: IDTA 02067의 X_BREAK(휴식), X_PRODUCTION_DAY(자산이 "
    "생산하는 시간), X_MAINTENANCE(정비·수리).",
    source="IDTA 02067",
)
CALENDAR_VARIABLE_SPECIFICATION = Concept(
    id=IDTA_02067 + "variableSpecification/1/0",
    name_en="Variable specification",
    name_ko="변수 명세",
    definition_en="Human-readable text file (text/plain) that specifies the extension variable and how an "
    "application is to interpret it.",
    definition_ko="확장 변수와 응용 프로그램이 그것을 해석하는 방법을 설명하는, 사람이 읽는 텍스트 파일(text/plain).",
    source="IDTA 02067",
)
SHIFTS = _kmds("Shifts", "Shifts", "교대 목록", "The shifts the factory works.", "공장이 운영하는 교대들.")
SHIFT = _kmds("Shift", "Shift", "교대", "One shift of the daily shift pattern.", "하루 교대 패턴의 한 교대.")
SHIFT_START = _kmds(
    "ShiftStart", "Shift start", "교대 시작 시각", "Time of day the shift starts.", "교대가 시작하는 시각."
)
SHIFT_END = _kmds(
    "ShiftEnd",
    "Shift end",
    "교대 종료 시각",
    "Time of day the shift ends; before the start when the shift runs past midnight.",
    "교대가 끝나는 시각. 자정을 넘기는 교대는 시작 시각보다 이르다.",
)
BREAK_TIME = _kmds(
    "BreakTime",
    "Break time",
    "휴식 시간",
    "Planned breaks within the shift.",
    "교대 중 계획된 휴식 시간.",
    unit=SECONDS,
)
PLANNED_PERIODS = _kmds(
    "PlannedPeriods",
    "Planned periods",
    "계획 기간 목록",
    "Periods planned for production, each with its planned busy time.",
    "생산을 계획한 기간들과 각 기간의 계획 가동 시간.",
)
PLANNED_PERIOD = _kmds(
    "PlannedPeriod", "Planned period", "계획 기간", "One period planned for production.", "생산을 계획한 한 기간."
)
