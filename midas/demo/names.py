"""Korean words the synthetic country is built from, each with the romanization companies actually use.

Company names follow the common Korean pattern: a two-syllable Sino-Korean stem ("대성", "한일"), a brand
word ("미래", "한빛") or two Latin letters read out in Hangul ("케이엠" = KM), then an industry word
("정밀", "테크", "산업"). Romanization is the one Korean firms print on their cards (Daesung, not Daeseong).
Places are real districts and real industrial complexes; street names are real or typical of the area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Word = tuple[str, str]  # (Korean, romanized or English)

STEM_FIRST: tuple[Word, ...] = (
    ("대", "Dae"), ("한", "Han"), ("삼", "Sam"), ("동", "Dong"), ("세", "Se"), ("신", "Shin"), ("태", "Tae"),
    ("금", "Keum"), ("영", "Young"), ("우", "Woo"), ("성", "Sung"), ("일", "Il"), ("진", "Jin"), ("화", "Hwa"),
    ("명", "Myung"), ("청", "Chung"), ("서", "Seo"), ("유", "Yu"), ("경", "Kyung"), ("광", "Kwang"),
    ("용", "Yong"), ("상", "Sang"), ("정", "Jung"), ("현", "Hyun"), ("보", "Bo"), ("창", "Chang"), ("효", "Hyo"),
    ("재", "Jae"), ("건", "Kun"), ("국", "Kuk"), ("남", "Nam"), ("해", "Hae"), ("중", "Joong"), ("원", "Won"),
    ("흥", "Heung"), ("민", "Min"), ("호", "Ho"), ("인", "In"), ("선", "Sun"), ("승", "Seung"), ("하", "Ha"),
    ("천", "Chun"), ("덕", "Duk"), ("지", "Ji"), ("수", "Soo"),
)
STEM_SECOND: tuple[Word, ...] = (
    ("성", "sung"), ("진", "jin"), ("일", "il"), ("원", "won"), ("양", "yang"), ("한", "han"), ("신", "shin"),
    ("우", "woo"), ("광", "kwang"), ("영", "young"), ("화", "hwa"), ("창", "chang"), ("명", "myung"),
    ("아", "a"), ("흥", "heung"), ("림", "rim"), ("도", "do"), ("보", "bo"), ("덕", "duk"), ("산", "san"),
    ("해", "hae"), ("호", "ho"), ("인", "in"), ("전", "jeon"), ("경", "kyung"), ("평", "pyung"), ("안", "an"),
    ("승", "seung"), ("풍", "poong"), ("건", "kun"), ("오", "o"), ("민", "min"), ("주", "ju"), ("정", "jung"),
    ("빈", "bin"), ("강", "kang"), ("동", "dong"),
)
BRAND_WORDS: tuple[Word, ...] = (
    ("미래", "Mirae"), ("한빛", "Hanbit"), ("누리", "Nuri"), ("다온", "Daon"), ("하나", "Hana"), ("나라", "Nara"),
    ("에이스", "Ace"), ("제일", "Jeil"), ("으뜸", "Eutteum"), ("새한", "Saehan"), ("가온", "Gaon"),
    ("한길", "Hangil"), ("푸른", "Pureun"), ("새롬", "Saerom"), ("한결", "Hangyeol"), ("다인", "Dain"),
    ("아름", "Areum"), ("한울", "Hanul"), ("온누리", "Onnuri"), ("새빛", "Saebit"), ("동방", "Dongbang"),
    ("글로벌", "Global"), ("유니온", "Union"), ("코리아", "Korea"), ("그린", "Green"), ("베스트", "Best"),
)
LETTERS: tuple[Word, ...] = (
    ("에이", "A"), ("비", "B"), ("씨", "C"), ("디", "D"), ("이", "E"), ("에프", "F"), ("에이치", "H"),
    ("제이", "J"), ("케이", "K"), ("엘", "L"), ("엠", "M"), ("피", "P"), ("에스", "S"), ("티", "T"),
    ("와이", "Y"),
)
# Stems that are the names of well-known business groups: kept away from the generated large enterprises
# so the demo does not seem to describe a real conglomerate.
FAMOUS_GROUP_STEMS = frozenset({
    "현대", "삼성", "효성", "한화", "대우", "동국", "대림", "한솔", "태광", "영풍", "동원", "삼양", "대상", "동부",
    "일진", "한일", "동양", "대성", "금호", "한진", "두산", "세아", "풍산", "고려", "대한", "한라", "코리아",
    "태영", "동아", "삼천", "한국", "신세계", "영원", "하림", "한샘", "성신", "경동", "대원", "삼화", "동화",
})

# Industry words by KSIC division; the generic ones fit every division.
GENERIC_SUFFIXES: tuple[Word, ...] = (("산업", "Industrial"), ("테크", "Tech"), ("공업", "Industry"))
DIVISION_SUFFIXES: Mapping[str, tuple[Word, ...]] = {
    "10": (("식품", "Foods"), ("푸드", "Food"), ("제과", "Confectionery"), ("농산", "Agro")),
    "11": (("음료", "Beverage"), ("주조", "Brewery"), ("양조", "Brewing")),
    "12": (("연초", "Tobacco"),),
    "13": (("섬유", "Textile"), ("방직", "Spinning"), ("텍스타일", "Textile"), ("염직", "Dyeing")),
    "14": (("어패럴", "Apparel"), ("패션", "Fashion"), ("섬유", "Textile")),
    "15": (("피혁", "Leather"), ("제화", "Shoes")),
    "16": (("목재", "Timber"), ("우드", "Wood")),
    "17": (("제지", "Paper"), ("페이퍼", "Paper"), ("포장", "Packaging")),
    "18": (("인쇄", "Printing"), ("프린팅", "Printing"), ("피앤피", "P&P")),
    "19": (("에너지", "Energy"), ("정유", "Refining")),
    "20": (("화학", "Chemical"), ("케미칼", "Chemical"), ("켐", "Chem"), ("소재", "Materials"), ("도료", "Paint")),
    "21": (("제약", "Pharmaceutical"), ("바이오", "Bio"), ("약품", "Pharm")),
    "22": (("플라스틱", "Plastic"), ("화학", "Chemical"), ("고무", "Rubber"), ("폴리텍", "Polytech"),
           ("실리콘", "Silicone")),
    "23": (("요업", "Ceramics"), ("세라믹", "Ceramic"), ("레미콘", "Remicon"), ("유리", "Glass")),
    "24": (("금속", "Metal"), ("스틸", "Steel"), ("철강", "Steel"), ("주물", "Casting"), ("특수강", "Special Steel"),
           ("메탈", "Metal")),
    "25": (("정밀", "Precision"), ("금속", "Metal"), ("정공", "Precision"), ("금형", "Mold"), ("기공", "Machining"),
           ("메탈", "Metal"), ("하이텍", "Hitech"), ("프레스", "Press"), ("단조", "Forging")),
    "26": (("전자", "Electronics"), ("일렉트로닉스", "Electronics"), ("반도체", "Semiconductor"),
           ("디스플레이", "Display"), ("이엔지", "ENG"), ("옵틱스", "Optics")),
    "27": (("메디칼", "Medical"), ("정밀", "Precision"), ("광학", "Optics"), ("계측", "Instruments"),
           ("메디텍", "Meditech")),
    "28": (("전기", "Electric"), ("전선", "Cable"), ("일렉트릭", "Electric"), ("파워", "Power"), ("전장", "Electrics")),
    "29": (("기계", "Machinery"), ("엔지니어링", "Engineering"), ("산기", "Industrial Machinery"), ("에프에이", "FA"),
           ("로보텍", "Robotech"), ("기공", "Machine Works")),
    "30": (("오토텍", "Autotech"), ("모터스", "Motors"), ("오토", "Auto"), ("정공", "Precision"),
           ("오토모티브", "Automotive")),
    "31": (("조선", "Shipbuilding"), ("해양", "Marine"), ("에어로", "Aero"), ("마린", "Marine")),
    "32": (("가구", "Furniture"), ("퍼니처", "Furniture"), ("인테리어", "Interior")),
    "33": (("코리아", "Korea"), ("스포츠", "Sports"), ("토이", "Toys")),
    "34": (("엔지니어링", "Engineering"), ("정비", "Maintenance")),
}
LARGE_ENTERPRISE_SUFFIXES: Mapping[str, tuple[Word, ...]] = {
    "10": (("식품", "Foods"), ("제당", "Sugar")),
    "19": (("에너지", "Energy"), ("정유", "Oil Refining")),
    "20": (("화학", "Chemical"), ("케미칼", "Chemical"), ("석유화학", "Petrochemical")),
    "21": (("제약", "Pharmaceutical"), ("바이오로직스", "Biologics")),
    "22": (("타이어", "Tire"), ("화학", "Chemical")),
    "24": (("제철", "Steel"), ("스틸", "Steel"), ("금속", "Metal")),
    "25": (("정밀", "Precision"), ("중공업", "Heavy Industries")),
    "26": (("전자", "Electronics"), ("반도체", "Semiconductor"), ("디스플레이", "Display")),
    "28": (("전기", "Electric"), ("전선", "Cable"), ("에너지솔루션", "Energy Solution")),
    "29": (("중공업", "Heavy Industries"), ("기계", "Machinery")),
    "30": (("모터스", "Motors"), ("자동차", "Motor"), ("모빌리티", "Mobility")),
    "31": (("조선해양", "Shipbuilding & Marine"), ("중공업", "Heavy Industries"), ("에어로스페이스", "Aerospace")),
}
# The usual suffix of an individual proprietor's workshop (개인사업자), e.g. "대성정밀공업사".
PROPRIETOR_WORKSHOP: Word = ("공업사", "Works")

SUPPLIER_PREFIXES: tuple[Word, ...] = (
    ("이노", "Inno"), ("넥스", "Nex"), ("스마트", "Smart"), ("디지털", "Digital"), ("유니", "Uni"), ("엑스", "X"),
    ("퓨처", "Future"), ("인텔리", "Intelli"), ("메타", "Meta"), ("큐", "Q"), ("비트", "Bit"), ("에이아이", "AI"),
    ("딥", "Deep"), ("뉴로", "Neuro"), ("오픈", "Open"), ("클라우드", "Cloud"), ("아이", "i"), ("코어", "Core"),
    ("센스", "Sense"), ("엣지", "Edge"), ("팩토리", "Factory"), ("데이터", "Data"), ("로봇", "Robot"),
    ("비전", "Vision"), ("마인드", "Mind"), ("브릿지", "Bridge"), ("웨이브", "Wave"), ("그리드", "Grid"),
    ("퀀텀", "Quantum"), ("에코", "Eco"), ("옴니", "Omni"), ("제니스", "Zenith"), ("링크", "Link"),
)
SUPPLIER_SUFFIXES: tuple[Word, ...] = (
    ("시스템", "Systems"), ("솔루션", "Solutions"), ("테크", "Tech"), ("웍스", "Works"), ("랩", "Lab"),
    ("소프트", "Soft"), ("데이터", "Data"), ("로보틱스", "Robotics"), ("오토메이션", "Automation"),
    ("링크", "Link"), ("넷", "Net"), ("비전", "Vision"), ("아이티", "IT"), ("인포텍", "Infotech"),
    ("엔지니어링", "Engineering"), ("센싱", "Sensing"), ("팩토리", "Factory"), ("이앤씨", "E&C"),
)

# An institute's field, and the KSIC division the registry files it under.
INSTITUTE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("스마트제조", "Smart Manufacturing", "29"), ("정밀기계", "Precision Machinery", "29"),
    ("자동차부품", "Auto Parts", "30"), ("전자부품", "Electronic Components", "26"),
    ("첨단소재", "Advanced Materials", "20"), ("바이오헬스", "Bio-Health", "21"), ("로봇산업", "Robot Industry", "29"),
    ("뿌리산업", "Root Industry", "25"), ("금형기술", "Mold Technology", "25"), ("섬유소재", "Textile Materials", "13"),
    ("조선해양", "Shipbuilding & Marine", "31"), ("화학소재", "Chemical Materials", "20"),
    ("제조데이터", "Manufacturing Data", "26"), ("산업지능화", "Industrial AI", "26"),
)
INSTITUTE_FORMS: tuple[Word, ...] = (
    ("혁신센터", "Innovation Center"), ("기술지원센터", "Technology Support Center"),
    ("진흥원", "Promotion Agency"), ("실증센터", "Testbed Center"),
)
REGION_SHORT: Mapping[str, Word] = {
    "11": ("서울", "Seoul"), "26": ("부산", "Busan"), "27": ("대구", "Daegu"), "28": ("인천", "Incheon"),
    "29": ("광주", "Gwangju"), "30": ("대전", "Daejeon"), "31": ("울산", "Ulsan"), "36": ("세종", "Sejong"),
    "41": ("경기", "Gyeonggi"), "51": ("강원", "Gangwon"), "43": ("충북", "Chungbuk"), "44": ("충남", "Chungnam"),
    "52": ("전북", "Jeonbuk"), "46": ("전남", "Jeonnam"), "47": ("경북", "Gyeongbuk"), "48": ("경남", "Gyeongnam"),
    "50": ("제주", "Jeju"),
}

# Family names by frequency (통계청 인구주택총조사 2015, percent of the population, the top 30).
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("김", "kim", 21.5), ("이", "lee", 14.7), ("박", "park", 8.4), ("최", "choi", 4.7), ("정", "jung", 4.3),
    ("강", "kang", 2.4), ("조", "cho", 2.1), ("윤", "yoon", 2.1), ("장", "jang", 2.0), ("임", "lim", 1.7),
    ("한", "han", 1.5), ("오", "oh", 1.5), ("서", "seo", 1.5), ("신", "shin", 1.4), ("권", "kwon", 1.4),
    ("황", "hwang", 1.4), ("안", "ahn", 1.4), ("송", "song", 1.3), ("류", "ryu", 1.2), ("전", "jeon", 1.1),
    ("홍", "hong", 1.1), ("고", "ko", 0.9), ("문", "moon", 0.9), ("양", "yang", 0.9), ("손", "son", 0.9),
    ("배", "bae", 0.8), ("백", "baek", 0.7), ("허", "heo", 0.6), ("유", "yoo", 0.6), ("남", "nam", 0.5),
)
# Given names common among people now in their thirties to sixties.
GIVEN_NAMES: tuple[Word, ...] = (
    ("영수", "youngsoo"), ("영호", "youngho"), ("영철", "youngchul"), ("정호", "jungho"), ("성호", "sungho"),
    ("성민", "sungmin"), ("상철", "sangchul"), ("상훈", "sanghoon"), ("동현", "donghyun"), ("재훈", "jaehoon"),
    ("현우", "hyunwoo"), ("지훈", "jihoon"), ("진호", "jinho"), ("민수", "minsoo"), ("경수", "kyungsoo"),
    ("종민", "jongmin"), ("광수", "kwangsoo"), ("정훈", "junghoon"), ("승현", "seunghyun"), ("준호", "junho"),
    ("태호", "taeho"), ("병철", "byungchul"), ("기현", "kihyun"), ("동욱", "donguk"), ("석진", "seokjin"),
    ("미경", "mikyung"), ("은정", "eunjung"), ("수진", "sujin"), ("지영", "jiyoung"), ("혜진", "hyejin"),
    ("미영", "miyoung"), ("정숙", "jungsook"), ("현정", "hyunjung"), ("선영", "sunyoung"), ("은영", "eunyoung"),
    ("지현", "jihyun"), ("소연", "soyeon"), ("유진", "yujin"), ("민지", "minji"), ("서연", "seoyeon"),
)


@dataclass(frozen=True, slots=True)
class Area:
    """A manufacturing district: where addresses go, its industrial complex and a few of its streets."""

    district: str
    label: str  # short place name used in factory names: "안산공장"
    complex_name: str | None
    streets: tuple[str, ...]


# Districts by region code, most industrial first. The complexes are real; a None complex means the district's
# plants sit on individual sites.
AREAS: Mapping[str, tuple[Area, ...]] = {
    "11": (
        Area("금천구", "가산", "서울디지털국가산업단지", ("가산디지털1로", "가산디지털2로", "벚꽃로")),
        Area("구로구", "구로", "서울디지털국가산업단지", ("디지털로", "디지털로33길", "경인로")),
        Area("성동구", "성수", None, ("성수이로", "아차산로", "연무장길")),
        Area("영등포구", "문래", None, ("문래로", "도림로", "경인로")),
    ),
    "26": (
        Area("강서구", "녹산", "녹산국가산업단지", ("녹산산단로", "녹산산단321로", "화전산단1로")),
        Area("사상구", "사상", "사상공업지역", ("새벽로", "학장로", "대동로")),
        Area("기장군", "정관", "정관일반산업단지", ("산단1로", "산단2로", "농공길")),
        Area("사하구", "신평", "신평장림일반산업단지", ("다대로", "장림로", "하신번영로")),
    ),
    "27": (
        Area("달서구", "성서", "성서산업단지", ("성서공단로", "호산동로", "달서대로")),
        Area("달성군", "달성", "대구국가산업단지", ("국가산단대로", "테크노중앙대로", "구지서로")),
        Area("북구", "대구3공단", "제3산업단지", ("노원로", "침산로", "검단로")),
        Area("서구", "서대구", "서대구산업단지", ("북비산로", "서대구로", "국채보상로")),
    ),
    "28": (
        Area("남동구", "남동", "남동국가산업단지", ("남동대로", "남동서로", "고잔로", "앵고개로")),
        Area("서구", "인천서부", "인천서부산업단지", ("건지로", "가재울로", "봉오대로")),
        Area("부평구", "부평", "부평국가산업단지", ("부평북로", "청천로", "평천로")),
        Area("미추홀구", "주안", "주안국가산업단지", ("염전로", "주안로", "석정로")),
    ),
    "29": (
        Area("광산구", "하남", "하남일반산업단지", ("하남산단6번로", "하남산단8번로", "무진대로")),
        Area("광산구", "평동", "평동일반산업단지", ("평동산단로", "용아로")),
        Area("북구", "첨단", "광주첨단과학산업단지", ("첨단과기로", "첨단벤처로")),
    ),
    "30": (
        Area("대덕구", "대덕", "대덕산업단지", ("대화로", "문평서로", "신일동로")),
        Area("유성구", "대덕테크노", "대덕테크노밸리", ("테크노2로", "테크노4로", "유성대로")),
    ),
    "31": (
        Area("남구", "울산", "울산미포국가산업단지", ("산업로", "용잠로", "사평로")),
        Area("울주군", "온산", "온산국가산업단지", ("온산로", "산암로", "당월로")),
        Area("북구", "효문", "효문일반산업단지", ("효자로", "산업로", "매곡산업로")),
        Area("동구", "미포", "울산미포국가산업단지", ("방어진순환도로", "봉수로")),
    ),
    "36": (
        Area("부강면", "부강", "부강일반산업단지", ("부강외천로", "금호안골길")),
        Area("연서면", "명학", "세종명학일반산업단지", ("명학산업단지길", "국세청로")),
    ),
    "41": (
        Area("안산시 단원구", "안산", "반월국가산업단지", ("산단로", "해봉로", "별망로", "강촌로")),
        Area("시흥시", "시흥", "시화국가산업단지", ("공단1대로", "공단2대로", "정왕천로", "희망공원로")),
        Area("화성시", "화성", "화성발안일반산업단지", ("팔탄로", "발안공단로", "삼천병마로")),
        Area("평택시", "평택", "평택포승국가산업단지", ("포승공단로", "평택항로", "고덕중앙로")),
        Area("김포시", "김포", "김포학운일반산업단지", ("양촌읍 학운로", "대곶로", "통진로")),
        Area("파주시", "파주", "파주당동일반산업단지", ("문산읍 당동로", "월롱산로", "산업단지길")),
        Area("성남시 중원구", "성남", "성남일반산업단지", ("둔촌대로", "사기막골로", "갈마치로")),
        Area("이천시", "이천", None, ("부발읍 경충대로", "마장면 서이천로", "모가면 공원로")),
        Area("용인시 처인구", "용인", None, ("백암면 원삼로", "포곡읍 에버랜드로", "남사읍 천덕봉로")),
        Area("포천시", "포천", "포천용정일반산업단지", ("군내면 용정경제로", "호국로")),
    ),
    "51": (
        Area("원주시", "원주", "문막반계일반산업단지", ("문막읍 동화공단로", "북원로")),
        Area("춘천시", "춘천", "후평일반산업단지", ("영서로", "후석로")),
        Area("강릉시", "강릉", "강릉과학일반산업단지", ("사천면 과학단지로", "남부로")),
    ),
    "43": (
        Area("청주시 흥덕구", "청주", "청주일반산업단지", ("직지대로", "월명로", "공단로")),
        Area("청주시 청원구", "오창", "오창과학산업단지", ("오창읍 과학산업1로", "오창읍 과학산업2로")),
        Area("음성군", "음성", None, ("대소면 대금로", "금왕읍 무극로")),
        Area("진천군", "진천", "진천산수일반산업단지", ("이월면 산수산단로", "덕산읍 한삼로")),
        Area("충주시", "충주", "충주첨단산업단지", ("대소원면 첨단산업로", "기업도시1로")),
    ),
    "44": (
        Area("천안시 서북구", "천안", "천안제3일반산업단지", ("직산읍 4산단로", "백석공단로", "성거읍 천흥로")),
        Area("아산시", "아산", "아산테크노밸리", ("둔포면 아산밸리로", "탕정면 탕정로", "음봉면 산동로")),
        Area("당진시", "당진", "석문국가산업단지", ("석문면 산단로", "송악읍 북부산업로")),
        Area("서산시", "서산", "대산석유화학단지", ("대산읍 평신2로", "지곡면 무장로")),
        Area("예산군", "예산", None, ("고덕면 예덕로", "신암면 추사로")),
    ),
    "52": (
        Area("군산시", "군산", "군산국가산업단지", ("외항로", "산단동서로", "오식도안길")),
        Area("전주시 덕진구", "전주", "전주일반산업단지", ("팔과정로", "여의동로")),
        Area("익산시", "익산", "익산국가산업단지", ("약촌로", "석암로")),
        Area("완주군", "완주", "완주일반산업단지", ("봉동읍 완주산단로", "봉동읍 과학로")),
    ),
    "46": (
        Area("여수시", "여수", "여수국가산업단지", ("여수산단로", "낙포단지길", "삼동로")),
        Area("광양시", "광양", "광양국가산업단지", ("제철로", "항만대로")),
        Area("영암군", "대불", "대불국가산업단지", ("삼호읍 대불로", "삼호읍 대불주거로")),
        Area("순천시", "순천", "순천일반산업단지", ("산단로", "해룡면 율촌산단로")),
    ),
    "47": (
        Area("구미시", "구미", "구미국가산업단지", ("1공단로", "3공단로", "수출대로", "산호대로")),
        Area("포항시 남구", "포항", "포항철강산업단지", ("철강로", "괴동로", "섬안로")),
        Area("경산시", "경산", "경산일반산업단지", ("진량읍 공단1로", "압량읍 경산로")),
        Area("경주시", "경주", "경주외동일반산업단지", ("외동읍 산업로", "건천읍 금척로")),
        Area("칠곡군", "왜관", "왜관일반산업단지", ("왜관읍 공단로", "석적읍 북중리길")),
        Area("영천시", "영천", None, ("금호읍 금호로", "도남공단길")),
    ),
    "48": (
        Area("창원시 성산구", "창원", "창원국가산업단지", ("공단로", "웅남로", "완암로", "남면로")),
        Area("김해시", "김해", "김해골든루트일반산업단지", ("주촌면 골든루트로", "진례면 서부로", "한림면 김해대로")),
        Area("거제시", "거제", None, ("장평3로", "옥포로", "두모길")),
        Area("양산시", "양산", "양산일반산업단지", ("산막공단북4길", "유산공단길", "어곡공단로")),
        Area("진주시", "진주", "진주상평일반산업단지", ("공단로", "대신로")),
        Area("사천시", "사천", "사천종포일반산업단지", ("사남면 공단1로", "용현면 종포로")),
        Area("함안군", "함안", "칠서일반산업단지", ("칠서면 공단동길", "법수면 윤내로")),
    ),
    "50": (
        Area("제주시", "제주", "제주첨단과학기술단지", ("첨단로", "구좌읍 해맞이해안로")),
        Area("서귀포시", "서귀포", None, ("중앙로", "일주동로")),
    ),
}

# Office districts where head offices of large enterprises and technology suppliers cluster (downtown Seoul,
# Gangnam, Pangyo Techno Valley), used instead of a plant district for part of them.
OFFICE_AREAS: Mapping[str, tuple[Area, ...]] = {
    "11": (
        Area("중구", "서울", None, ("세종대로", "을지로", "청계천로")),
        Area("강남구", "강남", None, ("테헤란로", "영동대로", "선릉로")),
        Area("금천구", "가산", "서울디지털국가산업단지", ("가산디지털1로", "가산디지털2로")),
    ),
    "41": (
        Area("성남시 분당구", "판교", "판교테크노밸리", ("판교역로", "대왕판교로", "판교로")),
        Area("수원시 영통구", "광교", "광교테크노밸리", ("광교로", "덕영대로")),
    ),
    "30": (Area("유성구", "대덕연구단지", "대덕연구개발특구", ("대학로", "가정로", "과학로")),),
}

# Landline area codes by region, for contact numbers.
AREA_CODES: Mapping[str, str] = {
    "11": "02", "26": "051", "27": "053", "28": "032", "29": "062", "30": "042", "31": "052", "36": "044",
    "41": "031", "51": "033", "43": "043", "44": "041", "52": "063", "46": "061", "47": "054", "48": "055",
    "50": "064",
}

# Main production processes by KSIC division.
PROCESSES: Mapping[str, tuple[str, ...]] = {
    "10": ("원료전처리", "배합", "가열살균", "충전", "포장", "검사"),
    "11": ("원료처리", "발효", "여과", "충전", "포장"),
    "12": ("원료가공", "권련", "포장"),
    "13": ("방적", "제직", "염색", "가공", "검사"),
    "14": ("재단", "봉제", "프레스", "검품", "포장"),
    "15": ("재단", "봉제", "접착", "성형", "검품"),
    "16": ("제재", "건조", "가공", "도장"),
    "17": ("초지", "코팅", "인쇄", "제함"),
    "18": ("제판", "인쇄", "후가공", "제본"),
    "19": ("증류", "정제", "배합", "출하"),
    "20": ("반응", "혼합", "정제", "건조", "포장", "품질분석"),
    "21": ("칭량", "제립", "타정", "코팅", "충전", "포장"),
    "22": ("사출성형", "압출", "블로우성형", "배합", "조립", "검사"),
    "23": ("원료배합", "성형", "소성", "절단", "연마"),
    "24": ("용해", "주조", "압연", "열처리", "표면처리"),
    "25": ("절삭가공", "프레스", "용접", "도장", "열처리", "도금", "조립"),
    "26": ("SMT", "조립", "검사", "웨이퍼가공", "패키징", "에이징"),
    "27": ("정밀가공", "조립", "교정", "클린룸조립", "검사"),
    "28": ("권선", "조립", "절연처리", "시험", "배선"),
    "29": ("가공", "용접", "조립", "도장", "시운전", "검사"),
    "30": ("프레스", "차체용접", "도장", "사출", "조립", "검사"),
    "31": ("절단", "블록조립", "용접", "도장", "의장", "시운전"),
    "32": ("재단", "가공", "도장", "조립", "포장"),
    "33": ("성형", "가공", "조립", "검사", "포장"),
    "34": ("분해", "세척", "수리", "조립", "시험"),
}

# Which tax offices issue business registration numbers in each region: the first three digits of a BRN
# (National Tax Service office codes; plausible, approximate ranges).
TAX_OFFICE_CODES: Mapping[str, tuple[int, ...]] = {
    "11": (*range(101, 121), *range(201, 221)),
    "41": (*range(123, 131), *range(132, 145), 410, 411, 412),
    "28": (121, 122, 131, 137, 139),
    "51": tuple(range(221, 228)),
    "43": tuple(range(301, 307)),
    "44": tuple(range(307, 316)),
    "30": (305, 314, 318),
    "36": (320,),
    "52": tuple(range(401, 405)),
    "46": tuple(range(408, 417)),
    "29": (408, 409, 410, 419),
    "27": tuple(range(502, 516, 2)),
    "47": tuple(range(503, 517, 2)),
    "26": tuple(range(601, 624)),
    "31": (610, 620),
    "48": (608, 609, 611, 612, 613, 615, 621, 622),
    "50": (616,),
}
