"""number_not_in_source on numbers written the way Japanese writes them (kanji numerals, 割, 約,
万), on numbers that only coincide with a number of the paper in another role (a GPU count that is
a table cell, a year that is a citation, a citation or DOI number), and on dates. Each invented
number has a close case: the paper's own number written the Japanese way is never flagged."""

from __future__ import annotations

import pytest

from ronbun.verify.numbers import claimed_numbers, missing_numbers, source_values

PAPER = [
    "We recorded 45 team registrations and received official submissions from 21 teams. "
    "PaSa-7b surpasses PaSa-GPT-4o by 30.36% in recall and 4.25% in precision. "
    "Table 4: model 63.4 71.5 82.0 16 layers 12.",
    "We use the English Wikipedia dump from Dec. 20, 2018 (Lee et al., 2016). The competition was "
    "announced on December 19th, 2022 and ended on April 3rd, 2023.",
    "Computing dense embeddings takes roughly 8.8 hours on 8 GPUs, and building the index with Lucene "
    "takes only about 30 minutes. We use the same five QA datasets. The retriever reaches 78.4% and "
    "we train for up to 40 epochs. Results of the 7 runs are in Table 3.",
    "We engineered a competition dataset of 498 new pages. DocLayNet defines 11 class labels [13]. "
    "https://doi.org/10.1109/ICDAR.2017.229 The passages number 21,015,324 in total. "
    "Artificial Intelligence, volume 34, pages 9701–9708, 2020. We have the times of administration "
    "of P = 8 medication classes.",
]
VALUES = source_values(PAPER)


def missing(text: str) -> list[str]:
    return [q.text for q in missing_numbers(text, VALUES)]


@pytest.mark.parametrize("text", [
    "四十五チームが登録し、二十一チームが結果を提出しました。",       # kanji numerals
    "再現率で約3割、適合率で約4ポイント上回ります。",                  # 割 = 10%
    "アラートの約6割が取り消された。",                                  # 約6割 for 63.4%
    "検索対象は約2,101万件のパッセージです。",                          # cut, not rounded
    "上位20件の精度は約80%です。",                                      # 約80% for 78.4 (one digit, rounded)
    "埋め込みの計算には8台のGPUで約8.8時間かかります。",               # units next to the value
    "Luceneでのインデックス構築は30分、つまり0.5時間で済みます。",      # 30 minutes = 0.5 hours
    "5つのデータセットで評価し、最大四十エポック学習しました。",
    "2018年12月20日のダンプを使い、コンペは2022年12月19日から2023年4月3日まで行われました。",
    "498ページの競技用データセットを作り、結果は5ページに示されています。",
    "結論は3つの理由から成り、二段階で学習します。十分な精度で、数十件の例を示しています。",
    "2つのLLMエージェントからなります。",                            # no "agents" in the source: not checkable
    "8種類の薬剤クラスの投与時刻を使っています。",
    "45件の登録からなるデータセットです。",                  # 件 counts the registrations, not datasets
])
def test_the_papers_numbers_written_the_japanese_way_are_found(text):
    assert missing(text) == []


@pytest.mark.parametrize("text, shown", [
    ("四十チームが登録しました。", "40"),                      # kanji numeral not in the paper
    ("三十五ポイント上回りました。", "35"),
    ("再現率で約9割上回ります。", "90"),                      # 約9割 for 30.36%
    ("上位20件の精度は約75%です。", "75"),                    # 約 is rounding, not any value within 5%
    ("学習には16台のGPUを使いました。", "16"),                # 16 is a table cell, not a GPU count
    ("インデックス構築は約3時間かかります。", "3"),          # 3 is in the paper, but not in hours
    ("6つのQAデータセットで評価しています。", "6"),          # a count of the paper's datasets
    ("12種類の薬剤クラスの投与時刻を使っています。", "12"),   # 12 is a table cell, not a number of classes
    ("2016年12月20日のダンプを使っています。", "2016年12月20日"),   # 2016 is a citation year
    ("コンペは2022年10月19日に告知されました。", "2022年10月19日"),
    ("約1,200ページの競技用データセットを作りました。", "1,200"),   # a count of pages, not a page number
    ("DocLayNetは13のクラスを定義しています。", "13"),        # 13 is a citation number
    ("学習データは9,701件です。", "9,701"),                   # 9701 is a page of the reference list
])
def test_a_number_that_is_only_a_coincidence_or_misread_is_found_missing(text, shown):
    assert shown in missing(text)


@pytest.mark.parametrize("source, answer", [
    ("The deadline was March 26th, 2023.", "締め切りは2023年3月26日でした。"),
    ("The deadline was 26 March 2023.", "締め切りは3月26日でした。"),
    ("Results were released on the 3rd of April.", "結果は4月3日に公開されました。"),
    ("The dump is from October, 2018.", "2018年10月のダンプです。"),
    ("Query Date: 2024-10-01.", "クエリの日付は2024年10月1日です。"),
])
def test_dates_written_the_english_way_are_found(source, answer):
    assert missing_numbers(answer, source_values([source])) == []


def test_a_power_of_ten_is_not_read_as_a_percent():
    values = source_values(["The learning rate is 0.01 and the dropout is 0.1."])
    assert [q.text for q in missing_numbers("学習率は10^-4です。", values)] == ["10^-4"]
    assert missing_numbers("ドロップアウト率は10%です。", values) == []


def test_kanji_words_that_are_not_numbers_are_left_alone():
    assert claimed_numbers("一般に、より一層の改善が十分に見込めるが、唯一の例外は数百件の誤りである。") == []
