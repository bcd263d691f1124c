from matchmaker.matching.text import TextPipeline

PIPELINE = TextPipeline()


def test_patent_boilerplate_is_removed_before_scoring() -> None:
    text = "本发明公开了一种锂电池隔膜的涂覆方法，属于锂离子电池技术领域，所述隔膜表面涂覆陶瓷层。"
    cleaned = PIPELINE.clean(text)
    assert "本发明" not in cleaned
    assert "所述" not in cleaned
    assert "技术领域" not in cleaned
    assert cleaned.startswith("锂电池隔膜的涂覆方法")


def test_design_patent_opening_is_removed() -> None:
    assert PIPELINE.clean("本外观设计产品为储能柜") == "储能柜"


def test_everyday_word_and_patent_word_share_one_key() -> None:
    need_keys = PIPELINE.keys("电芯鼓包")
    offer_keys = PIPELINE.keys("锂离子电池产气")
    assert need_keys == offer_keys == ["锂离子电池", "胀气"]


def test_surface_form_is_kept_beside_the_key() -> None:
    terms = PIPELINE.terms("电芯")
    assert [(t.surface, t.key) for t in terms] == [("电芯", "锂离子电池")]


def test_stop_words_are_not_terms() -> None:
    assert PIPELINE.keys("我们希望解决这个问题") == []


def test_institution_and_company_names_never_become_terms() -> None:
    pipeline = TextPipeline(excluded_names=["溧阳卓镍新材料科技有限公司"])
    assert pipeline.clean("溧阳卓镍新材料科技有限公司需要正极材料") == "需要正极材料"
    assert pipeline.clean("东南大学溧阳研究院研制的隔膜") == "研制的隔膜"


def test_long_sentences_are_cut_into_passages_at_clauses() -> None:
    clause = "正极材料表面包覆一层很薄的氧化铝来降低残碱"
    passages = PIPELINE.passages("短句一。" + "，".join([clause] * 6) + "。")
    assert passages == ["短句一，" + "，".join([clause] * 4), "，".join([clause] * 2)]
