"""Every Chinese label the reports use, in one place; code and column names stay English."""

REGION = {"main_city": "主城都市区", "northeast": "渝东北三峡库区城镇群", "southeast": "渝东南武陵山区城镇群"}
GRADE = {"excellent": "优秀", "qualified": "合格", "unqualified": "不合格", "": "未评估"}
STATUS = {"active": "在册", "revoked": "已摘牌"}
KIND = {"comprehensive": "综合性", "specialized": "专业性"}
DIMENSION = {"score_economic": "经济发展", "score_role": "作用发挥", "score_operations": "运营管理"}
TIE_POLICY = {
    "exclude": "同分组整体超名额则均不评优秀",
    "include": "同分组全部评优秀",
    "dimension": "按分项得分依次比较",
}
CAP_ROUNDING = {"floor": "向下取整", "round": "四舍五入", "ceil": "向上取整"}

COLUMN = {
    "park_id": "园区编号",
    "name": "园区名称",
    "district": "区县",
    "region": "区域",
    "kind": "类型",
    "online_offline": "线上+线下",
    "certified_year": "认定年份",
    "year": "年度",
    "score": "总分",
    "rank": "名次",
    "grade": "等次",
    "cap_exceeded": "突破优秀名额",
    "veto": "一票否决",
    "rectified": "整改结果",
    "status": "状态",
    "base_due": "应拨基础补助(万元)",
    "base_paid": "实拨基础补助(万元)",
    "pending": "暂缓拨付(万元)",
    "cancelled": "取消(万元)",
    "bonus": "优秀奖励(万元)",
    "cumulative_paid": "累计拨付(万元)",
    "district_match": "区县配套(万元)",
    "evaluated": "参加评估",
    "revoked_this_year": "当年摘牌",
    "applicant_id": "申报单位编号",
    "eligible": "符合条件",
    "relaxed": "适用放宽",
    "n_participants": "参评园区数",
    "cap": "优秀名额",
    "n_excellent": "优秀数",
    "n_unqualified": "不合格数",
    "n_veto": "否决数",
    "ties_excluded": "边界同分未评优秀",
    **DIMENSION,
    "key": "参数",
    "value": "取值",
    "unit": "单位",
    "description": "说明",
    "reference": "依据",
    "assumption": "属假设",
    "reason": "理由",
    "baseline": "基准",
    "reform": "改革方案",
}


def zh_columns(df):
    """A copy of the frame with Chinese column headers (unknown columns keep their name)."""
    return df.rename(columns={c: COLUMN.get(c, c) for c in df.columns})
