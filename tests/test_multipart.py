"""A message that says several things gets each answered, the most urgent first."""
from bot.nlu.multipart import Part, clauses, plan_parts


def parts(*items: tuple[str, str, float]) -> list[Part]:
    return [Part(*item) for item in items]


def test_clauses_are_cut_after_sentence_and_clause_marks():
    assert clauses("卡被盗刷了，会影响征信吗？我下周五先还5000") == ["卡被盗刷了，", "会影响征信吗？", "我下周五先还5000"]
    assert clauses("你好") == ["你好"]


def test_a_situation_a_question_and_a_promise_are_all_answered_most_urgent_first():
    plan = plan_parts(parts(("我下周五先还5000，", "promise_to_pay", 0.95), ("会影响征信吗？", "ask_consequence", 0.9),
                            ("你们这服务太差了我要投诉", "complain", 0.92)))
    assert plan == ["你们这服务太差了我要投诉", "会影响征信吗？", "我下周五先还5000，"]


def test_hardship_with_a_promise_offered_gets_the_promise():
    plan = plan_parts(parts(("这个月工资还没发，", "report_hardship", 0.9), ("利息怎么算？", "ask_fee", 0.9),
                            ("下周五我先还两千", "promise_to_pay", 0.9)))
    assert plan == ["利息怎么算？", "下周五我先还两千"]


def test_one_thing_said_in_several_clauses_is_answered_once_as_said():
    assert plan_parts(parts(("我想问下，", "ask_fee", 0.8), ("利息怎么算的", "ask_fee", 0.97))) is None
    assert plan_parts(parts(("你好，", "greet", 0.99), ("我欠多少钱", "ask_balance", 0.97))) is None


def test_an_unsure_clause_stays_with_the_clause_before_it():
    plan = plan_parts(parts(("利息怎么算，", "ask_fee", 0.9), ("嗯那个，", "inform", 0.4), ("我月底还", "promise_to_pay", 0.9)))
    assert plan == ["利息怎么算，嗯那个，", "我月底还"]


def test_only_one_form_runs_from_one_message():
    plan = plan_parts(parts(("利息怎么算，", "ask_fee", 0.9), ("我想分期，", "request_installment", 0.9),
                            ("账单有笔不对", "dispute_bill", 0.9)))
    assert plan == ["利息怎么算，", "账单有笔不对"]  # the installment form would take its answers from the dispute
    # two tasks and nothing else: the model reads the whole message as it reads any other
    assert plan_parts(parts(("我失业了，", "report_hardship", 0.9), ("能不能分期", "request_installment", 0.9))) is None


def test_a_stolen_card_comes_first_and_its_dispute_is_the_only_form():
    plan = plan_parts(parts(("我月底还，", "promise_to_pay", 0.9), ("利息怎么算，", "ask_fee", 0.9),
                            ("卡还被盗刷了", "report_fraud", 0.95)))
    assert plan == ["卡还被盗刷了", "利息怎么算，"]
