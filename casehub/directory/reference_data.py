"""Reference data for seeding the CaseHub directory: agencies, districts, SLA policies, categories.

Sources:
- Agencies: the first-level agencies of the Kaohsiung City Government (4 departments,
  25 bureaus and 3 commissions), as named in the Research, Development and Evaluation
  Commission's annual performance report (FY2022), plus the second-level units that
  actually receive 1999 dispatch work, one external utility (Taiwan Water Corporation)
  and the 1999 call centre / joint service centre run by the commission.
- Districts: the 38 districts of Kaohsiung and their district offices, in the order of
  the bundled ``data/kaohsiung_district_offices.csv``; ``name_zh`` matches its
  ``district`` column. English names use the romanization Kaohsiung uses officially.
- SLA policies: the report states that hazard reports (potholes, fallen trees, broken
  street lights and traffic signals) must be handled within 4 hours; the working-day
  targets follow common practice for 1999 dispatch items and petitions in Taiwan.
- Dispatch categories: modelled on the current Taipei 1999 dispatch item list (obsolete,
  duplicated and Taipei-only riverside items left out), assigned to Kaohsiung agencies.
- Petition categories: one per City Council group used by the report (民政, 社政, 財經,
  教育, 農林, 交通, 警消環衛, 工務, 法規) plus a few topics the report mentions.

Pure data: no imports, no behaviour. District office agencies (kind "district_office")
are built from DISTRICTS by the seeder and are not listed in AGENCIES.
"""

SOURCE_NOTE = (
    "Kaohsiung City Government agency structure and 1999 service practice (RDEC annual "
    "performance report, FY2022); dispatch items modelled on the Taipei 1999 dispatch list."
)

# Parents come before their children.
AGENCIES = [
    # Departments (處)
    {"code": "AIA", "name_zh": "行政暨國際處", "name_en": "Department of Administrative and International Affairs", "kind": "bureau", "parent": None, "email": "aia@casehub.example"},
    {"code": "BAS", "name_zh": "主計處", "name_en": "Department of Budget, Accounting and Statistics", "kind": "bureau", "parent": None, "email": "bas@casehub.example"},
    {"code": "PERS", "name_zh": "人事處", "name_en": "Department of Personnel", "kind": "bureau", "parent": None, "email": "pers@casehub.example"},
    {"code": "ETH", "name_zh": "政風處", "name_en": "Department of Government Ethics", "kind": "bureau", "parent": None, "email": "eth@casehub.example"},
    # Bureaus (局)
    {"code": "CAB", "name_zh": "民政局", "name_en": "Civil Affairs Bureau", "kind": "bureau", "parent": None, "email": "cab@casehub.example"},
    {"code": "FIN", "name_zh": "財政局", "name_en": "Finance Bureau", "kind": "bureau", "parent": None, "email": "fin@casehub.example"},
    {"code": "EDU", "name_zh": "教育局", "name_en": "Education Bureau", "kind": "bureau", "parent": None, "email": "edu@casehub.example"},
    {"code": "EDB", "name_zh": "經濟發展局", "name_en": "Economic Development Bureau", "kind": "bureau", "parent": None, "email": "edb@casehub.example"},
    {"code": "MAR", "name_zh": "海洋局", "name_en": "Marine Bureau", "kind": "bureau", "parent": None, "email": "mar@casehub.example"},
    {"code": "AGR", "name_zh": "農業局", "name_en": "Agriculture Bureau", "kind": "bureau", "parent": None, "email": "agr@casehub.example"},
    {"code": "AGR-APO", "name_zh": "動物保護處", "name_en": "Animal Protection Office", "kind": "unit", "parent": "AGR", "email": "agr-apo@casehub.example"},
    {"code": "TOUR", "name_zh": "觀光局", "name_en": "Tourism Bureau", "kind": "bureau", "parent": None, "email": "tour@casehub.example"},
    {"code": "UDB", "name_zh": "都市發展局", "name_en": "Urban Development Bureau", "kind": "bureau", "parent": None, "email": "udb@casehub.example"},
    {"code": "PWB", "name_zh": "工務局", "name_en": "Public Works Bureau", "kind": "bureau", "parent": None, "email": "pwb@casehub.example"},
    {"code": "PWB-MAINT", "name_zh": "養護工程處", "name_en": "Maintenance Engineering Office", "kind": "unit", "parent": "PWB", "email": "pwb-maint@casehub.example"},
    {"code": "PWB-PARKS", "name_zh": "公園處", "name_en": "Parks and Street Lights Office", "kind": "unit", "parent": "PWB", "email": "pwb-parks@casehub.example"},
    {"code": "PWB-NEWCON", "name_zh": "新建工程處", "name_en": "New Construction Office", "kind": "unit", "parent": "PWB", "email": "pwb-newcon@casehub.example"},
    {"code": "PWB-BLDG", "name_zh": "建築管理處", "name_en": "Building Management Office", "kind": "unit", "parent": "PWB", "email": "pwb-bldg@casehub.example"},
    {"code": "WRB", "name_zh": "水利局", "name_en": "Water Resources Bureau", "kind": "bureau", "parent": None, "email": "wrb@casehub.example"},
    {"code": "SOC", "name_zh": "社會局", "name_en": "Social Affairs Bureau", "kind": "bureau", "parent": None, "email": "soc@casehub.example"},
    {"code": "LAB", "name_zh": "勞工局", "name_en": "Labor Affairs Bureau", "kind": "bureau", "parent": None, "email": "lab@casehub.example"},
    {"code": "POL", "name_zh": "警察局", "name_en": "Police Department", "kind": "bureau", "parent": None, "email": "pol@casehub.example"},
    {"code": "DOH", "name_zh": "衛生局", "name_en": "Department of Health", "kind": "bureau", "parent": None, "email": "doh@casehub.example"},
    {"code": "EPB", "name_zh": "環境保護局", "name_en": "Environmental Protection Bureau", "kind": "bureau", "parent": None, "email": "epb@casehub.example"},
    {"code": "EPB-CLEAN", "name_zh": "清潔隊", "name_en": "Sanitation Squads", "kind": "unit", "parent": "EPB", "email": "epb-clean@casehub.example"},
    {"code": "MRTB", "name_zh": "捷運工程局", "name_en": "Mass Rapid Transit Bureau", "kind": "bureau", "parent": None, "email": "mrtb@casehub.example"},
    {"code": "SDB", "name_zh": "運動發展局", "name_en": "Sports Development Bureau", "kind": "bureau", "parent": None, "email": "sdb@casehub.example"},
    {"code": "CULT", "name_zh": "文化局", "name_en": "Bureau of Cultural Affairs", "kind": "bureau", "parent": None, "email": "cult@casehub.example"},
    {"code": "TB", "name_zh": "交通局", "name_en": "Transportation Bureau", "kind": "bureau", "parent": None, "email": "tb@casehub.example"},
    {"code": "TB-PTO", "name_zh": "公共運輸處", "name_en": "Public Transportation Office", "kind": "unit", "parent": "TB", "email": "tb-pto@casehub.example"},
    {"code": "LEGAL", "name_zh": "法制局", "name_en": "Legal Affairs Bureau", "kind": "bureau", "parent": None, "email": "legal@casehub.example"},
    {"code": "LAND", "name_zh": "地政局", "name_en": "Land Administration Bureau", "kind": "bureau", "parent": None, "email": "land@casehub.example"},
    {"code": "FIRE", "name_zh": "消防局", "name_en": "Fire Bureau", "kind": "bureau", "parent": None, "email": "fire@casehub.example"},
    {"code": "INFO", "name_zh": "新聞局", "name_en": "Information Bureau", "kind": "bureau", "parent": None, "email": "info@casehub.example"},
    {"code": "DPB", "name_zh": "毒品防制局", "name_en": "Drug Prevention Bureau", "kind": "bureau", "parent": None, "email": "dpb@casehub.example"},
    {"code": "YOUTH", "name_zh": "青年局", "name_en": "Youth Bureau", "kind": "bureau", "parent": None, "email": "youth@casehub.example"},
    # Commissions (委員會)
    {"code": "RDEC", "name_zh": "研究發展考核委員會", "name_en": "Research, Development and Evaluation Commission", "kind": "bureau", "parent": None, "email": "rdec@casehub.example"},
    {"code": "RDEC-1999", "name_zh": "聯合服務中心（1999話務中心）", "name_en": "Joint Service Center (1999 Citizen Hotline)", "kind": "dispatch_center", "parent": "RDEC", "email": "rdec-1999@casehub.example"},
    {"code": "IAC", "name_zh": "原住民事務委員會", "name_en": "Indigenous Affairs Commission", "kind": "bureau", "parent": None, "email": "iac@casehub.example"},
    {"code": "HAC", "name_zh": "客家事務委員會", "name_en": "Hakka Affairs Commission", "kind": "bureau", "parent": None, "email": "hac@casehub.example"},
    # External utility that takes 1999 water-supply dispatches.
    {"code": "TWC7", "name_zh": "台灣自來水公司第七區管理處", "name_en": "Taiwan Water Corporation, 7th Branch", "kind": "bureau", "parent": None, "email": "twc7@casehub.example"},
]

# CSV order; name_zh equals the CSV "district" column.
DISTRICTS = [
    {"code": "yancheng", "name_zh": "鹽埕區", "name_en": "Yancheng District", "office_code": "DO-YANCHENG", "office_name_en": "Yancheng District Office"},
    {"code": "gushan", "name_zh": "鼓山區", "name_en": "Gushan District", "office_code": "DO-GUSHAN", "office_name_en": "Gushan District Office"},
    {"code": "zuoying", "name_zh": "左營區", "name_en": "Zuoying District", "office_code": "DO-ZUOYING", "office_name_en": "Zuoying District Office"},
    {"code": "nanzih", "name_zh": "楠梓區", "name_en": "Nanzih District", "office_code": "DO-NANZIH", "office_name_en": "Nanzih District Office"},
    {"code": "sanmin", "name_zh": "三民區", "name_en": "Sanmin District", "office_code": "DO-SANMIN", "office_name_en": "Sanmin District Office"},
    {"code": "sinsing", "name_zh": "新興區", "name_en": "Sinsing District", "office_code": "DO-SINSING", "office_name_en": "Sinsing District Office"},
    {"code": "cianjin", "name_zh": "前金區", "name_en": "Cianjin District", "office_code": "DO-CIANJIN", "office_name_en": "Cianjin District Office"},
    {"code": "lingya", "name_zh": "苓雅區", "name_en": "Lingya District", "office_code": "DO-LINGYA", "office_name_en": "Lingya District Office"},
    {"code": "cianjhen", "name_zh": "前鎮區", "name_en": "Cianjhen District", "office_code": "DO-CIANJHEN", "office_name_en": "Cianjhen District Office"},
    {"code": "cijin", "name_zh": "旗津區", "name_en": "Cijin District", "office_code": "DO-CIJIN", "office_name_en": "Cijin District Office"},
    {"code": "siaogang", "name_zh": "小港區", "name_en": "Siaogang District", "office_code": "DO-SIAOGANG", "office_name_en": "Siaogang District Office"},
    {"code": "fongshan", "name_zh": "鳳山區", "name_en": "Fongshan District", "office_code": "DO-FONGSHAN", "office_name_en": "Fongshan District Office"},
    {"code": "linyuan", "name_zh": "林園區", "name_en": "Linyuan District", "office_code": "DO-LINYUAN", "office_name_en": "Linyuan District Office"},
    {"code": "daliao", "name_zh": "大寮區", "name_en": "Daliao District", "office_code": "DO-DALIAO", "office_name_en": "Daliao District Office"},
    {"code": "dashu", "name_zh": "大樹區", "name_en": "Dashu District", "office_code": "DO-DASHU", "office_name_en": "Dashu District Office"},
    {"code": "dashe", "name_zh": "大社區", "name_en": "Dashe District", "office_code": "DO-DASHE", "office_name_en": "Dashe District Office"},
    {"code": "renwu", "name_zh": "仁武區", "name_en": "Renwu District", "office_code": "DO-RENWU", "office_name_en": "Renwu District Office"},
    {"code": "niaosong", "name_zh": "鳥松區", "name_en": "Niaosong District", "office_code": "DO-NIAOSONG", "office_name_en": "Niaosong District Office"},
    {"code": "gangshan", "name_zh": "岡山區", "name_en": "Gangshan District", "office_code": "DO-GANGSHAN", "office_name_en": "Gangshan District Office"},
    {"code": "ciaotou", "name_zh": "橋頭區", "name_en": "Ciaotou District", "office_code": "DO-CIAOTOU", "office_name_en": "Ciaotou District Office"},
    {"code": "yanchao", "name_zh": "燕巢區", "name_en": "Yanchao District", "office_code": "DO-YANCHAO", "office_name_en": "Yanchao District Office"},
    {"code": "tianliao", "name_zh": "田寮區", "name_en": "Tianliao District", "office_code": "DO-TIANLIAO", "office_name_en": "Tianliao District Office"},
    {"code": "alian", "name_zh": "阿蓮區", "name_en": "Alian District", "office_code": "DO-ALIAN", "office_name_en": "Alian District Office"},
    {"code": "lujhu", "name_zh": "路竹區", "name_en": "Lujhu District", "office_code": "DO-LUJHU", "office_name_en": "Lujhu District Office"},
    {"code": "hunei", "name_zh": "湖內區", "name_en": "Hunei District", "office_code": "DO-HUNEI", "office_name_en": "Hunei District Office"},
    {"code": "jiading", "name_zh": "茄萣區", "name_en": "Jiading District", "office_code": "DO-JIADING", "office_name_en": "Jiading District Office"},
    {"code": "yongan", "name_zh": "永安區", "name_en": "Yong-an District", "office_code": "DO-YONGAN", "office_name_en": "Yong-an District Office"},
    {"code": "mituo", "name_zh": "彌陀區", "name_en": "Mituo District", "office_code": "DO-MITUO", "office_name_en": "Mituo District Office"},
    {"code": "zihguan", "name_zh": "梓官區", "name_en": "Zihguan District", "office_code": "DO-ZIHGUAN", "office_name_en": "Zihguan District Office"},
    {"code": "cishan", "name_zh": "旗山區", "name_en": "Cishan District", "office_code": "DO-CISHAN", "office_name_en": "Cishan District Office"},
    {"code": "meinong", "name_zh": "美濃區", "name_en": "Meinong District", "office_code": "DO-MEINONG", "office_name_en": "Meinong District Office"},
    {"code": "liouguei", "name_zh": "六龜區", "name_en": "Liouguei District", "office_code": "DO-LIOUGUEI", "office_name_en": "Liouguei District Office"},
    {"code": "jiasian", "name_zh": "甲仙區", "name_en": "Jiasian District", "office_code": "DO-JIASIAN", "office_name_en": "Jiasian District Office"},
    {"code": "shanlin", "name_zh": "杉林區", "name_en": "Shanlin District", "office_code": "DO-SHANLIN", "office_name_en": "Shanlin District Office"},
    {"code": "neimen", "name_zh": "內門區", "name_en": "Neimen District", "office_code": "DO-NEIMEN", "office_name_en": "Neimen District Office"},
    {"code": "maolin", "name_zh": "茂林區", "name_en": "Maolin District", "office_code": "DO-MAOLIN", "office_name_en": "Maolin District Office"},
    {"code": "taoyuan", "name_zh": "桃源區", "name_en": "Taoyuan District", "office_code": "DO-TAOYUAN", "office_name_en": "Taoyuan District Office"},
    {"code": "namasia", "name_zh": "那瑪夏區", "name_en": "Namasia District", "office_code": "DO-NAMASIA", "office_name_en": "Namasia District Office"},
]

# reminder_thresholds: fractions of the target elapsed (hours clock) or
# working days before the due date (working_days clock).
# escalation_cycle: hours (hours clock) or working days (working_days clock).
SLA_POLICIES = [
    {"code": "hazard_4h", "name_zh": "立即危害排除（4小時）", "name_en": "Hazard removal (4 hours)", "clock": "hours", "resolution_target": 4, "first_response_minutes": 30, "reminder_thresholds": [0.5, 0.8], "escalation_cycle": 4},
    {"code": "dispatch_3wd", "name_zh": "一般派工（3個工作天）", "name_en": "Standard dispatch (3 working days)", "clock": "working_days", "resolution_target": 3, "first_response_minutes": 240, "reminder_thresholds": [1], "escalation_cycle": 1},
    {"code": "petition_6wd", "name_zh": "人民陳情（6個工作天）", "name_en": "Petition (6 working days)", "clock": "working_days", "resolution_target": 6, "first_response_minutes": 480, "reminder_thresholds": [1], "escalation_cycle": 1},
    {"code": "petition_10wd", "name_zh": "需會勘或跨機關陳情（10個工作天）", "name_en": "Petition needing site visit or coordination (10 working days)", "clock": "working_days", "resolution_target": 10, "first_response_minutes": 480, "reminder_thresholds": [3, 1], "escalation_cycle": 1},
    {"code": "petition_30wd", "name_zh": "複雜陳情（30個工作天）", "name_en": "Complex petition (30 working days)", "clock": "working_days", "resolution_target": 30, "first_response_minutes": 480, "reminder_thresholds": [5, 1], "escalation_cycle": 1},
]

CATEGORIES = [
    # Dispatch items (派工), modelled on the Taipei 1999 dispatch list.
    {"code": "pothole", "name_zh": "市區道路坑洞處理", "name_en": "Road pothole", "kind": "dispatch", "agency": "PWB-MAINT", "sla_policy": "hazard_4h", "is_public": True, "group": "道路 / Roads", "keywords": ["坑洞", "路面破損", "路不平", "pothole", "road damage"], "sort_order": 10},
    {"code": "road_debris", "name_zh": "道路散落物或油漬處理", "name_en": "Road debris or oil spill", "kind": "dispatch", "agency": "EPB-CLEAN", "sla_policy": "hazard_4h", "is_public": True, "group": "道路 / Roads", "keywords": ["散落物", "油漬", "漏油", "掉落物", "debris", "oil spill"], "sort_order": 20},
    {"code": "manhole_cover", "name_zh": "人孔蓋（含周邊）破損、遺失處理", "name_en": "Damaged or missing manhole cover", "kind": "dispatch", "agency": "PWB-MAINT", "sla_policy": "hazard_4h", "is_public": True, "group": "道路 / Roads", "keywords": ["人孔蓋", "孔蓋", "下陷", "manhole", "manhole cover"], "sort_order": 30},
    {"code": "road_cavein", "name_zh": "道路掏空", "name_en": "Road cave-in", "kind": "dispatch", "agency": "PWB-MAINT", "sla_policy": "hazard_4h", "is_public": True, "group": "道路 / Roads", "keywords": ["掏空", "塌陷", "路陷", "天坑", "cave-in", "sinkhole"], "sort_order": 40},
    {"code": "slope_collapse", "name_zh": "道路邊坡坍方", "name_en": "Roadside slope collapse", "kind": "dispatch", "agency": "PWB-MAINT", "sla_policy": "hazard_4h", "is_public": True, "group": "道路 / Roads", "keywords": ["坍方", "邊坡", "落石", "土石", "landslide", "slope collapse"], "sort_order": 50},
    {"code": "street_light", "name_zh": "路燈不亮或損壞", "name_en": "Street light out or damaged", "kind": "dispatch", "agency": "PWB-PARKS", "sla_policy": "hazard_4h", "is_public": True, "group": "路燈路樹 / Street lights & trees", "keywords": ["路燈", "不亮", "燈桿", "閃爍", "street light", "lamp"], "sort_order": 60},
    {"code": "fallen_tree", "name_zh": "路樹處理", "name_en": "Fallen or hazardous street tree", "kind": "dispatch", "agency": "PWB-PARKS", "sla_policy": "hazard_4h", "is_public": True, "group": "路燈路樹 / Street lights & trees", "keywords": ["路樹", "倒樹", "斷枝", "行道樹", "fallen tree", "branch"], "sort_order": 70},
    {"code": "traffic_signal", "name_zh": "交通號誌異常", "name_en": "Traffic signal malfunction", "kind": "dispatch", "agency": "TB", "sla_policy": "hazard_4h", "is_public": True, "group": "交通 / Traffic", "keywords": ["紅綠燈", "號誌", "燈號", "不亮", "traffic light", "signal"], "sort_order": 80},
    {"code": "signal_cable", "name_zh": "交通號誌電纜線垂落及設施損壞", "name_en": "Drooping signal cable or damaged signal equipment", "kind": "dispatch", "agency": "TB", "sla_policy": "hazard_4h", "is_public": True, "group": "交通 / Traffic", "keywords": ["電纜", "電線", "垂落", "號誌桿", "signal cable", "hanging wire"], "sort_order": 90},
    {"code": "traffic_sign", "name_zh": "交通標誌及設施物損壞（含汙損）、傾斜", "name_en": "Damaged, defaced or tilted traffic sign or fixture", "kind": "dispatch", "agency": "TB", "sla_policy": "dispatch_3wd", "is_public": True, "group": "交通 / Traffic", "keywords": ["標誌", "標線", "反光鏡", "傾斜", "traffic sign", "mirror"], "sort_order": 100},
    {"code": "road_flooding", "name_zh": "路面積淹水", "name_en": "Road flooding", "kind": "dispatch", "agency": "WRB", "sla_policy": "hazard_4h", "is_public": True, "group": "排水 / Drainage & flooding", "keywords": ["積水", "淹水", "排水不良", "flooding", "standing water"], "sort_order": 110},
    {"code": "underpass_flooding", "name_zh": "橋梁、隧道、車（人）行地下道及涵洞積淹水", "name_en": "Flooded bridge, tunnel, underpass or culvert", "kind": "dispatch", "agency": "WRB", "sla_policy": "hazard_4h", "is_public": True, "group": "排水 / Drainage & flooding", "keywords": ["地下道", "涵洞", "隧道", "積水", "underpass", "tunnel flooding"], "sort_order": 120},
    {"code": "storm_drain", "name_zh": "雨水下水道側溝清淤", "name_en": "Storm drain or side ditch dredging", "kind": "dispatch", "agency": "WRB", "sla_policy": "dispatch_3wd", "is_public": True, "group": "排水 / Drainage & flooding", "keywords": ["側溝", "水溝", "清淤", "阻塞", "惡臭", "drain", "gutter"], "sort_order": 130},
    {"code": "ditch_cover", "name_zh": "道路側溝溝蓋（含周邊）損壞遺失", "name_en": "Damaged or missing side-ditch cover", "kind": "dispatch", "agency": "WRB", "sla_policy": "dispatch_3wd", "is_public": True, "group": "排水 / Drainage & flooding", "keywords": ["溝蓋", "水溝蓋", "格柵", "ditch cover", "grate"], "sort_order": 140},
    {"code": "ditch_wall", "name_zh": "道路側溝內溝牆（底）破損", "name_en": "Damaged side-ditch wall or floor", "kind": "dispatch", "agency": "WRB", "sla_policy": "dispatch_3wd", "is_public": True, "group": "排水 / Drainage & flooding", "keywords": ["溝牆", "溝底", "側溝破損", "ditch wall", "ditch damage"], "sort_order": 150},
    {"code": "bulky_waste", "name_zh": "大型廢棄物清運聯繫", "name_en": "Bulky waste collection", "kind": "dispatch", "agency": "EPB-CLEAN", "sla_policy": "dispatch_3wd", "is_public": True, "group": "環境 / Environment", "keywords": ["大型廢棄物", "家具", "床墊", "沙發", "bulky waste", "furniture"], "sort_order": 160},
    {"code": "unowned_garbage", "name_zh": "鄰里無主垃圾清運", "name_en": "Unowned neighbourhood garbage", "kind": "dispatch", "agency": "EPB-CLEAN", "sla_policy": "dispatch_3wd", "is_public": True, "group": "環境 / Environment", "keywords": ["垃圾", "無主垃圾", "亂丟", "棄置", "garbage", "litter", "dumping"], "sort_order": 170},
    {"code": "noise", "name_zh": "場所與設施噪音舉發", "name_en": "Noise from premises or equipment", "kind": "dispatch", "agency": "EPB", "sla_policy": "dispatch_3wd", "is_public": True, "group": "環境 / Environment", "keywords": ["噪音", "吵", "冷氣", "施工噪音", "noise"], "sort_order": 180},
    {"code": "pollution", "name_zh": "污染舉發", "name_en": "Pollution report", "kind": "dispatch", "agency": "EPB", "sla_policy": "dispatch_3wd", "is_public": True, "group": "環境 / Environment", "keywords": ["污染", "空污", "異味", "排放", "廢水", "pollution", "odour"], "sort_order": 190},
    {"code": "water_supply", "name_zh": "用戶無水、漏水報修", "name_en": "No water supply or water leak", "kind": "dispatch", "agency": "TWC7", "sla_policy": "dispatch_3wd", "is_public": True, "group": "自來水 / Water supply", "keywords": ["停水", "無水", "漏水", "水管破裂", "no water", "water leak"], "sort_order": 200},
    {"code": "animal_rescue", "name_zh": "動物救援", "name_en": "Animal rescue", "kind": "dispatch", "agency": "AGR-APO", "sla_policy": "dispatch_3wd", "is_public": True, "group": "動物 / Animals", "keywords": ["動物", "受傷", "流浪狗", "貓", "救援", "animal rescue", "stray"], "sort_order": 210},
    # Petitions (人民陳情), one per City Council group, plus a few specific topics.
    {"code": "petition_civil", "name_zh": "民政類陳情", "name_en": "Civil affairs petition", "kind": "petition", "agency": "CAB", "sla_policy": "petition_6wd", "is_public": True, "group": "民政 / Civil affairs", "keywords": ["戶政", "里長", "宗教", "殯葬", "兵役", "civil affairs"], "sort_order": 500},
    {"code": "petition_land", "name_zh": "地政陳情", "name_en": "Land administration petition", "kind": "petition", "agency": "LAND", "sla_policy": "petition_6wd", "is_public": True, "group": "民政 / Civil affairs", "keywords": ["地政", "地籍", "土地登記", "重劃", "land registration"], "sort_order": 510},
    {"code": "petition_social", "name_zh": "社政類陳情", "name_en": "Social affairs petition", "kind": "petition", "agency": "SOC", "sla_policy": "petition_6wd", "is_public": True, "group": "社政 / Social affairs", "keywords": ["社福", "補助", "低收入", "長照", "勞資", "social welfare"], "sort_order": 520},
    {"code": "petition_finance", "name_zh": "財經類陳情", "name_en": "Finance and economy petition", "kind": "petition", "agency": "FIN", "sla_policy": "petition_6wd", "is_public": True, "group": "財經 / Finance & economy", "keywords": ["稅捐", "地價稅", "房屋稅", "市場", "工商", "tax", "economy"], "sort_order": 530},
    {"code": "petition_education", "name_zh": "教育類陳情", "name_en": "Education petition", "kind": "petition", "agency": "EDU", "sla_policy": "petition_6wd", "is_public": True, "group": "教育 / Education", "keywords": ["學校", "教師", "補習班", "幼兒園", "school", "education"], "sort_order": 540},
    {"code": "petition_agriculture", "name_zh": "農林類陳情", "name_en": "Agriculture and forestry petition", "kind": "petition", "agency": "AGR", "sla_policy": "petition_6wd", "is_public": True, "group": "農林 / Agriculture & forestry", "keywords": ["農業", "農地", "漁業", "動物保護", "agriculture", "forestry"], "sort_order": 550},
    {"code": "petition_transport", "name_zh": "交通類陳情", "name_en": "Transport petition", "kind": "petition", "agency": "TB", "sla_policy": "petition_6wd", "is_public": True, "group": "交通 / Transport", "keywords": ["公車", "停車", "交通", "標線", "捷運", "bus", "parking", "transport"], "sort_order": 560},
    {"code": "petition_police_fire_env", "name_zh": "警消環衛類陳情", "name_en": "Police, fire, environment and health petition", "kind": "petition", "agency": "POL", "sla_policy": "petition_6wd", "is_public": True, "group": "警消環衛 / Police, fire, environment & health", "keywords": ["違規停車", "治安", "消防安全", "環境衛生", "police", "fire safety"], "sort_order": 570},
    {"code": "petition_health", "name_zh": "衛生醫療陳情", "name_en": "Public health petition", "kind": "petition", "agency": "DOH", "sla_policy": "petition_6wd", "is_public": True, "group": "警消環衛 / Police, fire, environment & health", "keywords": ["衛生", "食品安全", "醫療", "病媒", "登革熱", "public health", "food safety"], "sort_order": 580},
    {"code": "petition_public_works", "name_zh": "工務類陳情", "name_en": "Public works petition", "kind": "petition", "agency": "PWB", "sla_policy": "petition_6wd", "is_public": True, "group": "工務 / Public works", "keywords": ["道路", "公園", "建管", "違建", "人行道", "public works", "illegal building"], "sort_order": 590},
    {"code": "petition_construction_watch", "name_zh": "全民督工（施工中公共工程通報）", "name_en": "Public works construction watch report", "kind": "petition", "agency": "RDEC", "sla_policy": "petition_10wd", "is_public": True, "group": "工務 / Public works", "keywords": ["全民督工", "施工品質", "工程", "工地", "construction", "site safety"], "sort_order": 600},
    {"code": "petition_legal", "name_zh": "法規類陳情", "name_en": "Legal affairs petition", "kind": "petition", "agency": "LEGAL", "sla_policy": "petition_6wd", "is_public": True, "group": "法規 / Legal affairs", "keywords": ["法規", "自治條例", "消費爭議", "國賠", "legal", "regulation"], "sort_order": 610},
    {"code": "petition_complex", "name_zh": "跨機關複雜陳情", "name_en": "Complex cross-agency petition", "kind": "petition", "agency": "RDEC-1999", "sla_policy": "petition_30wd", "is_public": False, "group": "綜合 / General", "keywords": ["跨機關", "複雜", "協調", "cross-agency", "complex"], "sort_order": 900},
]
