"""Answers that say nothing, restate the question, or repeat another question.

A model that cannot answer rarely writes "unknown". It writes that the point "is not stated"
or "not clear from the context", promises a review and stops, turns the question into a
statement, says something true of any paper ("この研究は分野に重要な貢献をしています"), or
lists points that are mostly all of these. `non_answer_reason` splits an answer into list
entries and clauses and asks of each whether it states anything this paper-specific: a number,
a name, or a content word that is neither the question's own nor a word any paper's praise
uses (the hand lists below, and data/general_vocab.tsv: research talk such as approach, novel,
robustness, 手法, 効率的, built by tools/build_general_vocab.py from a reviewed seed and JMdict). An absence claim or a promise never counts as substance; one clause of substance
anywhere makes the answer an answer (学習率は10−5ですが、ウォームアップは明記されていません).
When the item has an English quote, a clause that is content only through ordinary words (no number,
no Latin name) must also share a word with it (`grounding`: Japanese to English through JMdict glosses
and the glossary): 「学習データは慎重に収集されています」 next to a quote about epochs says nothing.

The kinds are recognised by structure, not by set phrases: an absence claim is a noun for what
a text holds (記載, 言及, 数字, 形跡) or a verb of the text, negated in any form, or any negated
statement placed in "the given text" (抜粋には…含まれておりません, "the excerpt doesn't name");
"cannot tell" is the source plus any negated potential verb (この資料からは確認が取れません,
把握しかねます); a pointer is a section, table, equation or appendix plus a passive verb; a
statement framed as true of any model (他の深層学習モデルと同様に, "as with all AI systems",
一般的には) or advice that fits any paper (出力には注意が必要) is generic unless it names
something; acknowledgements (承知しました, "Sure!") and a label before a colon add nothing; an
opinion hedge (と考えられます) with one word of its own is not a fact of the paper. When the
question asks what is missing (報告していない点は？), naming it answers; a request
(教えてください) is not a yes/no question, so 「はい、以下で説明します」 answers nothing.

Substance before phrases. Words about the text, the question and the answering (本文, 文中, 資料,
該当, ヒント, 答え; "passage", "excerpt", "what you sent") carry no content; 質問, 文書, "passage"
are content in a positive clause of a paper about question answering, and the user's question and
the given text in a negated one. A clause with nothing of its own whose verb of the text, of
finding or of knowing is negated in any conjugation (書き込まれていない, 拾えませんでした,
見えてこない, "isn't laid out anywhere") is an absence claim; so is such a verb negated with the
given text as its place (辞書の種類は文章中から見えてきません), whatever is said to be missing. A
negation of the question's own predicate is a "no", which answers (Q 追加の学習は必要ですか →
必要としない; "It does not."), and a negated question asks what is missing. A guess
(〜の可能性があります, "might") next to "I do not know" answers nothing unless the paper is
reported as saying it. A comparison of two options the question did not name is a finding even
in plain words (モデルを大きくするより、データの質を上げる方が効果が大きい).
"""

from __future__ import annotations

import re
import unicodedata
from importlib.resources import files
from typing import Sequence

from .grounding import grounded, mapped, quote_index
from .text import _STOPWORDS, normalize

DUPLICATE_JACCARD = 0.6

# ------------------------------------------------------------------ what a clause says

# Absence claims about the text ("is not stated / mentioned / proposed"), not about the work:
# 多言語では評価していません (a limitation) is an answer, 多言語については述べられていません is not.
_TEXT_VERB = (r"(?:記載|記述|言及|説明|明記|明示|開示|報告|提案|提示|議論|紹介|具体化|定義|特定|"
              r"規定|指定|列挙|詳述|解説|明言|公表|言明|掲載)")
_ABSENT = (r"(?:されていない|されていません|されておらず|されておりません|されてない|されない|されません|"
           r"されていなかった|されていませんでした|されなかった|されませんでした|"
           r"していない|していません|しておらず|しておりません|してない|していなかった|していませんでした)")
_NO = r"(?:ない|なし|無し|なかった|ありません|ありませんでした|見当たらなかった|見つかりません|見つからない|見つからなかった|ございません|見当たりません|見当たらない|見られません|見られない|存在しません|存在しない|ほぼない|ほとんどない|ほとんどありません)"
_CLAUSE_END = r"(?=\s*(?:$|[。．.!！?？、，,;；)）」]|が|ため|ので|けれど|ものの|です|である|でした|であり|ようです|ようだ|ように|よう|と思われ|と考えられ|模様|\n))"
_NONE_JA = re.compile(
    r"(?:" + _TEXT_VERB + _ABSENT +
    r"|(?:(?:述べら|触れら|示さ|書か|挙げら|論じら|記さ|取り上げら|明らかにさ|明確にさ|詳らかにさ|つまびらかにさ|明かさ|記述さ)れ|"
    r"(?:述べ|触れ|示し|書い|挙げ|論じ|記し|取り上げ|明らかにし|明確にし))て(?:いない|いません|おらず|おりません|ない|いなかった|いませんでした)" +
    r"|(?:" + _TEXT_VERB[3:-1] + r"|情報|記載|具体的な(?:記述|説明|情報|数値|内容)|詳しい(?:説明|情報)|具体的なデータ|根拠|手がかり|詳細(?:な(?:情報|説明))?)"
    r"(?:は|が|も|について(?:は)?)?" + _NO +
    r"|(?:明らか|明確|定か|明白|はっきり)(?:で|と|に)?は?(?:ありません|ない|なく|なっていません|なっていない|しません|しない|していません)"
    r"|(?<![明瞭])不明(?!瞭|確|な点|点)|不明確|不明瞭(?=です|である|でした|だ|$)|詳細不明|非公開|未公開|未記載|記載なし|言及なし|特になし|該当なし|情報なし"
    r"|(?:分かり|わかり|判断でき|判断し|特定でき|確認でき|お答えでき|回答でき|答えられ|読み取れ|把握でき|断定でき|判別でき|言及でき)(?:ません|ない)"
    r"|(?:分から|わから|判断でき|特定でき|確認でき|読み取れ|把握でき|断定でき)ない"
    r"|(?:特定|判断|確認|把握|断定|回答|言及|説明|明言|判別)(?:すること)?(?:は|が|も)?(?:でき|出来)(?:ません|ない|かね)"
    r"|(?:文脈|コンテキスト|本文|抜粋|テキスト|情報|論文)(?:中)?(?:に|には|の中に)(?:は)?(?:含まれ|書かれ|記載され|示され)て(?:いません|いない|おらず)"
    r"|(?:詳細|説明|内容|記述)?(?:は|を)?(?:割愛|省略)(?:します|する|いたします|させていただきます)"
    r"|(?:文脈|コンテキスト|与えられた(?:情報|文章|テキスト|抜粋)|提供された(?:情報|文章|テキスト|抜粋|文脈|コンテキスト)|抜粋|本文)"
    r"(?:から|で|に|の範囲で|の中で|中に)(?:は|も)?(?:判断|特定|確認|把握|読み取|わから|分から|明らか|得られ|得るこ)[\u3041-\u3093]*?(?:ない|ません|ず)"
    r")(?:です|である|であり|でした|のです|ようです|ようである)?" + _CLAUSE_END)
_NONE_EN = re.compile(
    r"\b(?:is|are|was|were|been|be|it's|isn't|aren't|wasn't|weren't)?\s*(?:not|never)\s+(?:explicitly\s+|clearly\s+|specifically\s+|directly\s+|publicly\s+)?"
    r"(?:specified|mentioned|disclosed|stated|described|provided|reported|clear|available|discussed|given|"
    r"explained|detailed|addressed|proposed|presented|defined|identified|known|covered|outlined|included|listed|"
    r"shown|indicated|revealed|elaborated|clarified|determinable|possible to (?:tell|determine|say))\b"
    r"|\b(?:does|do|did|doesn't|don't|didn't)\s+(?:not\s+)?(?:explicitly\s+|clearly\s+|specifically\s+|directly\s+)?"
    r"(?:mention|specify|say|state|describe|discuss|report|provide|give|detail|explain|propose|present|"
    r"clarify|reveal|disclose|address|outline|indicate|elaborate|define|list|include|cover|offer)\b"
    r"|\bno (?:\w+ ){0,3}(?:is|are|was|were) (?:explicitly |specifically )?(?:proposed|mentioned|given|provided|described|"
    r"discussed|stated|specified|reported|presented|outlined|identified|listed)\b"
    r"|\b(?:no|not enough|insufficient|limited) (?:specific |explicit |detailed |further |additional |clear )?"
    r"(?:information|details?|mention|data|indication|evidence) (?:is |are |was )?(?:given |provided |available |about|on|regarding|in|to)\b"
    r"|\bunclear\b|\bunknown\b|\bunspecified\b|\bn/a\b|\bnot applicable\b"
    r"|\bun(?:explained|stated|reported|mentioned|addressed|discussed|described|documented|disclosed|named|defined)\b"
    r"|\b(?:absent|missing) from (?:the|what)\b"
    r"|\b(?:unable|not able) to (?:say|tell|determine|find|identify|confirm|infer|know|answer|see|locate|give|provide|pin down)\b"
    r"|\bcannot (?:be )?(?:determine|determined|tell|say|answer|infer|inferred|identify|identified|confirm|confirmed|"
    r"assess|assessed|judge|judged|verify|verified|establish|established|know|known|conclude|concluded|answered)\b"
    r"|\bcan't (?:determine|tell|say|answer|infer)\b|\bunable to (?:determine|tell|answer|find|identify)\b")   # on lower case
# "in the passage" places a statement in the given text: an absence claim only when it is negated
# ("nothing in the passage"), never in "picks the span in the passage with the highest score".
_SOURCE_EN = re.compile(r"\b(?:from|in|based on) (?:the|what) (?:given |provided |available |supplied |shared |attached )?"
                        r"(?:context|excerpts?|text|passages?|material|pages?|sections?|snippets?|i was given|you (?:sent|shared|gave))\b")

# Pointers instead of content: "詳しくは論文の第3節で説明されています", "see the paper".
_POINTER_JA = re.compile(
    r"(?:(?:論文|本文|原文|原論文|文)(?:中|内)?|該当箇所|第?\d+(?:\.\d+)*\s*(?:節|章)|セクション\s*\d*|節|章|表\s*\d*|図\s*\d*|付録\s*[A-Z0-9]*|"
    r"序論|導入|はじめに|結論|段落|イントロダクション|実験の部分|関連研究|[Ss]ection\s*\d+|[Tt]able\s*\d+|[Ff]ig(?:ure|\.)?\s*\d+|[Aa]ppendix\s*[A-Z0-9]*)"
    r"(?:の[^。、]{0,30})?(?:で|に|において|にて|では|には)(?:は)?(?:詳しく|詳細に|具体的に|詳述|明確に|まとめて|一覧で)?"
    r"(?:説明|記載|議論|記述|言及|紹介|報告|掲載|提示|解説|整理|列挙|定義|詳述|述べ|示|論じ|まとめ|書か)(?:さ|ら)?れて(?:います|いる|おり)"
    r"|(?:第?\d+\s*|次の|以下の|後の|前の)?(?:章|節|セクション)(?:で|では|にて|において)(?:は)?[^。]{0,20}"
    r"(?:述べ|説明|紹介|議論|論じ|示|扱)(?:る|ます|す|します|う|います)$"
    r"|(?:ご参照|参照して|ご覧|参照され|ご確認|確認して|お読み)(?:ください|下さい)|を参照(?:のこと|ください|されたい)"
    r"|(?:ご参照|ご覧|ご確認|お読み|お目通し)(?:いただ|頂)|(?:参照|確認|一読)(?:される|する)(?:こと|の)(?:を|が)(?:お勧め|おすすめ|推奨|確実|望まし)"
    r"|(?:を|は)?(?:見る|見れ|読む|読め|参照す|参照すれ|確認す|確認すれ|ご覧になれ)(?:と|ば)(?:分かり|わかり|分かる|わかる|明らか|理解でき)"
    r"|^(?:論文|本文|原文|原論文|付録\s*[A-Z0-9]*|表\s*\d*|図\s*\d*)(?:を)?参照$"
    r"|を参照(?:する必要があ|すべき|すると(?:よ|良)い|していただく必要|されたい)"
    r"|(?:第?\d+(?:\.\d+)*\s*(?:節|章)|付録\s*[A-Z0-9]*|表\s*\d+|図\s*\d+|式\s*\(?\d+\)?|アルゴリズム\s*\d+|セクション\s*\d*|[Ss]ection\s*\d+|[Aa]ppendix\s*[A-Z0-9]*)"
    r"(?:で|に|にて|において)(?:は)?[^。、]{0,10}?(?:[さら]?れて|して)(?:いる|います|おり|いた|あります|ある)$")
_POINTER_EN = re.compile(
    r"\b(?:is|are|was|were)\s+(?:\w+ly\s+)?(?:discussed|described|detailed|presented|explained|reported|given|shown|listed|covered|"
    r"outlined|provided|summari[sz]ed|defined|derived|formulated|proved|proven|specified|introduced)\s+in\s+(?:the\s+)?"
    r"(?:\w+\s+){0,2}(?:section|introduction|table|appendix|paper|figure|conclusion|article|supplementary|main text|body|"
    r"equation|eq\.|algorithm|chapter)s?\b"
    r"|\b(?:please\s+)?(?:refer to|see|consult)\s+(?:the\s+)?(?:original\s+|full\s+)?(?:paper|article|section|table|appendix|figure)\b",
    re.I)

# Absence said with a noun for what a text holds and a verb of existence, a few words apart:
# 「記載は、与えられた抜粋の中には存在しないようです」「数字は出てきません」「触れられた形跡はない」
# 「抜粋には学習時間の情報は含まれていません」「判断するのは難しい」「情報が不足しています」
# 「論文の焦点ではない」. The negation takes every form (ない/ません/ず/なかった/ませんでした).
_NEG = r"(?:ない|ません|ず|なかった|ませんでした|なく|ねえ)"
_EXIST_NEG = r"(?:存在し|見当たら|見当たり|見受けられ|見つから|見つかり|見つけられ|見られ|出てこ|出てき|載ってい|載っておら|ござい|あり)" + _NEG
_SOURCE_JA = (r"(?:文脈|コンテキスト|抜粋|本文|原文|資料|文書|記述|テキスト|論文|(?:与えられた|提供された|提示された|共有された|いただいた)"
              r"(?:情報|内容|部分|文章|範囲|資料|テキスト|文脈|コンテキスト|抜粋|文書)|この情報|ここ|手元の情報)")
_TEXT_NOUN = r"(?:判断材料|記載|記述|言及|説明|明記|情報|数字|数値|詳細|記録|解説|手がかり|根拠|形跡|痕跡)"
_ABSENCE_JA = re.compile(
    _TEXT_NOUN + r"(?:は|が|も|について(?:は)?|に関して(?:は)?)[^。をが]{0,30}?" + _EXIST_NEG +
    r"|" + _TEXT_NOUN + r"(?:は|が|も)?(?:一切|特に|全く|何も|どこにも|まったく)?(?:ない|なし|無し)(?![いく])" +
    r"|" + _TEXT_NOUN + r"(?:は|が|も)[^。をが]{0,30}?(?:一切|全く|まったく|何も|どこにも)(?:ない|なし|無し|" + _EXIST_NEG + r")" +
    r"|(?:触れ|述べ|言及|記載|記述|説明|明記|書か|書い|示さ|示し|論じ|扱わ|扱っ|取り上げ)[られさし]{0,2}た"
    r"(?:形跡|箇所|個所|部分|記述|ところ|こと)(?:は|が|も)?(?:一切|特に|全く)?(?:" + _EXIST_NEG + r"|ない|なし)" +
    r"|(?:触れ|述べ|言及|記載|記述|説明|明記|書|示|論じ|扱|取り上げ|答え)[^。、]{0,6}?(?:箇所|個所|部分|ところ|形跡)"
    r"(?:は|が|も)(?:一切|特に|全く|どこにも)?(?:" + _EXIST_NEG + r"|ない|なし)" +
    # declining or unable to state: 「明言を避けています」「論文は沈黙しています」「断言できません」
    r"|(?:明言|言及|断言|回答|判断|結論|明示)を(?:避け|控え|差し控え)" +
    r"|(?:論文|著者|本文|文脈|抜粋|本稿)(?:ら)?(?:は|が|も)?[^。、]{0,12}?沈黙" +
    r"|(?:断言|言い切|明言)(?:すること)?(?:は|が|も)?(?:でき|出来|れ)" + _NEG +
    r"|" + _SOURCE_JA + r"(?:部分|箇所|中|内|の範囲|の中)?(?:に|には|で|では|にも)[^。]{0,20}?" + _EXIST_NEG +
    r"|" + _SOURCE_JA + r"(?:部分|箇所|中|内|の範囲|の中)?"
    r"(?:に|には|で|では|にも)[^。]{0,30}?(?:含まれ|書かれ|記載され|示され|載っ|現れ|登場し|記され|触れられ)て?"
    r"(?:いない|いません|おらず|おりません|ない|ません|いなかった|いませんでした|おりませんでした)" +
    r"|(?:分から|わから|判断でき|特定でき|確認でき|読み取れ|把握でき|断定でき|見つけられ|答えられ|お答えでき|回答でき)"
    r"(?:なかった|ませんでした|ず)" +
    r"|(?:判断|特定|断定|確認|把握|回答|お答え|結論づけ|明言|言及|推定|推測|推察|断言)(?:する|を下す)?(?:の|こと)?(?:は|が|も)?(?:難し|困難|できかね)" +
    r"|一概に(?:は)?(?:言え|いえ|言う|いう|決め|判断|断定)"
    r"|(?:判断|特定|断定|確認|把握|回答|推定|言及|判別)(?:し|いたし)(?:がた|づら|にく)い|(?:言い|知り|分かり|わかり|読み取り)(?:がた|づら|にく)い" +
    r"|(?:判断|特定|断定|確認|把握|回答|お答え|お伝え|申し上げ|言及|理解)(?:いた)?しかね(?:ます|る)(?!な)" +
    r"|(?:情報|記述|手がかり|材料|根拠|記載|議論|言及|説明)(?:が|は)?(?:不足|足りな|十分ではな|十分でな|不十分)" +
    r"|(?:論文|本研究|本稿|この研究|本論文|この論文)の(?:焦点|主眼|対象|範囲|スコープ|主題)(?:で|と)?は?(?:ない|なく|ありません|外)"
    r"|(?:論文|本稿|記述|本文|文脈|抜粋|資料|議論)[^。、]{0,4}?(?:範囲外|対象外|スコープ外)"
    r"|(?:テーマ|主題|範囲|対象|焦点|スコープ)(?:から|を)(?:外れ|はずれ|逸れ|それ)"
    r"|何とも(?:言え|いえ|申し上げられ)(?:ません|ない|ず)"
    # a polite "cannot": 「分かりかねます」「申し上げかねます」 (not 〜しかねない, "might")
    r"|[\u3040-\u309f\u4e00-\u9fff]かね(?:ます|る)(?!な)"
    r"|(?:申し上げ|お答えし|お伝えし)られ(?:ません|ない)"
    r"|(?:回答|判断|特定|判定|確認)(?:は)?(?:不能|不可能|不可)")
_CANNOT_FROM_SOURCE = re.compile(
    _SOURCE_JA + r"(?:から|より|では|の範囲では|だけでは|のみでは|の範囲内では)(?:は|も)?[^。]{0,25}?"
    r"(?:でき|取れ|得られ|知り得|わから|分から|言え|読め|見え|推し量れ|うかがえ|伺え|窺え|見受けられ)" + _NEG + r"|できかね")
_IN_GIVEN_TEXT = re.compile(
    r"(?:(?:提供|提示|共有)(?:された|いただいた)|与えられた|いただいた|手元の|お送りいただいた)[^。、]{0,6}?"
    r"(?:情報|内容|部分|文章|範囲|資料|テキスト|文脈|コンテキスト|抜粋|文書|論文|本文)|抜粋|本文中|文脈上|文脈中|コンテキスト(?:中|内|上)")
_NEGATED_END = re.compile(r"(?:ない|ません|ず|なし|なかった|ませんでした|かねます)(?:でした|です|ようです|ようだ|と思われます|ね|よ)?[。.．!！]?\s*$")
_ABSENCE_EN = re.compile(   # on lower case
    r"\b(?:isn't|aren't|wasn't|weren't)\s+(?:\w+ly\s+)?(?:specified|mentioned|disclosed|stated|described|provided|reported|"
    r"given|discussed|explained|detailed|addressed|covered|included|listed|shown|clear|available|known)\b"
    r"|\bthere (?:is|are|was|were|'s) (?:no|little) (?:\w+ ){0,2}(?:mention|information|details?|discussion|description|"
    r"indication|data|evidence|reference)\b"
    r"|\bno (?:\w+ ){0,2}(?:mention|information|details?|discussion|description|indication) (?:of|about|on|regarding)\b"
    r"|\b(?:the|this|these) (?:provided |given |available )?(?:excerpts?|context|passages?|snippets?|portion)\b[^.;]{0,20}?"
    r"\b(?:does not|doesn't|did not|didn't|do not|don't|cannot|can't|has no|have no|lacks?|(?:contains?|gives?|provides?|offers?|"
    r"includes?|shows?|mentions?) no)\b"
    r"|\bmakes? no (?:\w+ )?(?:reference|mention)\b|\b(?:could|can) ?not be (?:found|located|identified|determined)\b"
    r"|\bnothing (?:about|on|regarding|concerning)\b|\b(?:in )?what i (?:was|have been) (?:given|provided|shown)\b"
    r"|\b(?:outside|beyond) (?:the )?scope\b|\bout of scope\b"
    r"|\b(?:beyond|outside) what (?:the|this) (?:paper|study|text|article|work|excerpt|context) (?:covers|discusses|addresses|reports|says|describes)\b"
    r"|\bnot possible to (?:give|provide|offer|say|determine|tell|answer)\b|\b(?:no|not a|not give a) (?:definitive|clear|definite|direct|precise) answer\b"
    r"|\bleaves? (?:this|the|that|it|these)(?: \w+)? (?:open|unanswered|unaddressed|unresolved)\b|\bleft (?:open|unanswered|unaddressed)\b"
    r"|\b(?:is|are|was|were) silent (?:on|about)\b|\bnothing in the (?:\w+ ){0,2}(?:context|excerpts?|text|paper|passages?)\b"
    r"|\b(?:i|we) (?:could not|couldn't|cannot|can't|did not|didn't|was unable to|were unable to) (?:find|locate|see)\b"
    r"|\b(?:hard|difficult|impossible) to (?:say|determine|tell|infer|know|judge)\b"
    r"|\b(?:insufficient|not enough) (?:information|detail|details|context)\b"
    r"|\b(?:does|do|did)(?:n't| not) (?:really |actually |explicitly |directly )?(?:talk about|go into|get into|touch on|"
    r"contain|elaborate on|dwell on)\b"
    # "X is not something the paper reports": a negation, then within a few words a verb of the text
    r"|\b(?:not|never|no|nothing)\b(?:\W+\w+){0,5}?\W+(?:the|this|these) (?:paper|authors?|text|context|excerpts?|article|"
    r"passages?|document|study) (?:\w+ )?(?:mentions?|reports?|specif(?:y|ies)|states?|describes?|discuss(?:es)?|says?|"
    r"provides?|gives?|covers?|includes?|addresses|contains?|explains?|presents?|lists?)\b")

# Statements framed as true of any research or any model: 「どのような研究にも限界はあり」
# 「大規模言語モデル全般に言えることですが」 "as with any model".
_UNIVERSAL = re.compile(
    r"(?:どのような|どんな|あらゆる|すべての|全ての|いかなる)(?:研究|論文|手法|モデル|システム|アプローチ|技術|実験)"
    r"(?:にも|でも|と同様|に(?:言える|共通))|全般(?:に|について)(?:言える|いえる|共通)|一般(?:的)?に(?:言える|いえる|言われ|知られ)|^[^。、]{0,20}?は[、,]?\s*一般(?:的)?に|ケースバイケース|状況次第|場合次第|時と場合|^(?:一般(?:的)?に(?:は)?|通常は|普通は|多くの場合)|概して|一般論として"
    r"|[^。、]{0,12}全般(?:と同様|と同じく)|(?:他の|ほかの|多くの|一般の)[^。、]{0,12}?(?:研究|論文|手法|モデル|技術|システム|アプローチ)(?:と同様|と同じく)|(?:目的|状況|場合|用途|ケース|条件)(?:や[^。、]{0,6})?に応じ|(?:など|等)の(?:条件|要因|設定|状況|要素)(?:によって|次第で|に応じて|により)(?:異な|変わ|変化)|場合によ(?:る|ります|って異な)"
    r"|(?:様々|さまざま|多様|多く|複数|色々|いろいろ)な?(?:の)?(?:要因|要素|条件|事情|側面)(?:が|も)(?:関係|関与|影響|絡|関わ|かかわ)"
    r"|\bno exception\b|例外では(?:な|あり)|\b(?:as with|like) (?:any|all|every|most) (?:other )?(?:\w+ ){0,2}(?:study|studies|paper|papers|model|models|method|methods|"
    r"research|system|systems|llms?|work|technology|technologies|tool|tools|algorithm|algorithms|software|ai)\b|\b(?:of|for|in) (?:any|every|all) (?:\w+ ){0,3}?(?:study|studies|paper|papers|model|models|"
    r"method|methods|research|system|systems|llms?|work)\b|\b(?:in general|generally speaking)\b|^(?:typically|usually|generally|commonly)\b|\bit depends on\b", re.I)
# Advice that fits any paper: 「出力には注意が必要です」「さらなる検証が求められる」.
_ADVICE = re.compile(r"(?:注意|留意|さらなる[^。、]{0,10}|更なる[^。、]{0,10}|慎重な[^。、]{0,8})(?:が|を|は)(?:必要|要する|求められ|望まれ|払う必要)"
                     r"|(?:が|も)(?:強く|今後|引き続き|より一層|一層)?(?:求められ|望まれ)(?:て)?(?:います|いる|ます|る)?$"
                     r"|\b(?:requires?|needs?|warrants?) (?:further|more|additional|careful) (?:validation|study|research|investigation|work|evaluation)\b"
                     r"|\b(?:further|more|additional) (?:\w+ ){0,2}(?:would be|is|are|will be|may be) (?:needed|required|necessary|warranted)\b",
                     re.I)


def _is_name(word: str) -> bool:
    """A number or a Latin-letter name (BERT, GPT-4, AdamW), not an English word (Like)."""
    return word[0].isdigit() or (word[0].isascii() and (any(c.isdigit() for c in word)
                                                        or any(c.isupper() for c in word[1:])))


_HEDGE = re.compile(r"(?:と|が|も|に)?(?:考えられ(?:ます|る)|期待され(?:ます|る)|思われ(?:ます|る)|予想され(?:ます|る)|予測され(?:ます|る)|言える(?:でしょう)?|"
                    r"言えます|でしょう|かもしれ(?:ません|ない)|見込まれ(?:ます|る))[。.．]?$")

# 「評価指標：」 "Hardware details:": a short label before a colon, judged by what follows it.
_LABEL = re.compile(r"^\s*[^:：。.、,!?！？]{1,25}[:：]\s*")

# Acknowledgements and pleasantries: 「承知しました。」 "Sure!" "Great question!"
_FILLER = re.compile(
    r"^(?:承知(?:しました|いたしました)|かしこまりました|了解(?:しました|です)|もちろん(?:です)?|"
    r"(?:良い|いい|素晴らしい|鋭い)(?:質問|ご質問|着眼点|視点)(?:ですね|です)|ご質問ありがとうございます|"
    r"sure|certainly|of course|absolutely|okay|ok|great question|good question|excellent question|good point|"
    r"as far as i (?:can tell|know|can see)|to (?:my|the best of my) knowledge|from what i can (?:tell|see)|私の(?:知る|見る)限り(?:では)?|"
    r"happy to help|glad you asked|(?:i'm|i am|we're|we are) sorry|sorry|apologies|my apologies|"
    r"申し訳(?:ありません|ございません|ないのですが|ないですが)(?:が)?|残念(?:ながら|ですが)|"
    r"一言で(?:言|い)(?:えば|うと)|要するに|結論から(?:言|い)(?:えば|うと)|簡単に(?:言|い)(?:えば|うと)|端的に(?:言|い)(?:えば|うと)|"
    r"まとめると|つまり|in short|in a word|in summary|to summari[sz]e)[!！。.,、 ]*$", re.I)
# The question asks what is missing: then "X is not reported" is the answer.
_ASKS_ABSENCE = re.compile(
    r"(?:てい|されてい|れてい|てお|され|し)?(?:ない|なかった|ません)(?:点|こと|もの|部分|課題|項目|要素|のは|か|[\u4e00-\u9fff\u30a1-\u30ff])|欠け|不足|抜け|未解決|未検討"
    r"|\b(?:not|missing|lack|lacks|lacking|omit|omits|omitted|left out|neglect|neglects|overlook|overlooks)\b", re.I)

# Promises: the writer announcing what they will do, and then not doing it.
_PROMISE_JA = re.compile(
    r"(?:説明|紹介|解説|提供|提示|概説|レビュー|考察|議論|検討|整理|要約|分析|確認|回答|お答え|共有|"
    r"まとめ|述べ|見て(?:いき|み)|掘り下げ|探っ|探り|触れ|取り上げ|ご紹介|ご説明|詳述|列挙|示し|見ていき)"
    r"(?:を|て)?(?:し|す|いたし|させていただき|していき|してみ|しておき|いき|み)?(?:ます|ましょう|る|よう|たいと思います|ていきます)$"
    r"|(?:説明|紹介|解説|整理|要約|分析|確認|回答|まとめ|考察|検討|概説|詳述)(?:を)?(?:して|し)(?:いく|いこう|みる|みよう|おく|いきたい|みたい|まいります|参ります)$")
# What is promised: an explanation or a review of the topic, not a fact (データを提供します).
_PROMISE_OBJECT = re.compile(
    r"(?:について|に関して|に関する|についての)|(?:レビュー|説明|解説|概要|紹介|分析|考察|まとめ|要約|回答|詳細|情報|ポイント|内容|見解|評価)を"
    r"(?:簡単に|詳しく|詳細に|以下に|以下で|順に|順番に)?$")
_PROMISE_LEAD_JA = re.compile(r"(?:以下|下記|次|これから|ここでは|本回答では|以降)(?:で|に|の(?:よう|とおり|通り)|では|は)?")
_PAPER_SUBJECT = re.compile(r"(?:論文|研究|著者|本稿|手法|モデル|システム|彼ら|提案|実験|結果|データセット|[A-Za-z0-9])(?:ら)?(?:は|が|では|でも)")
_PROMISE_EN = re.compile(
    r"^(?:(?:i|we)(?: will|'ll| shall| would like to| want to| can|'d like to|'d be happy to|'d be glad to| would be happy to|"
    r" am happy to|'m happy to| would love to|'d love to)|let me|let's|let us|here is|here's|below(?: is|,| i| we)|"
    r"the following(?: (?:section|answer|response|text|points?))?(?: will)?|this (?:answer|response|section) (?:will|shall))(?!\w)"
    r"|\b(?:i|we) (?:will|'ll|shall) (?:now )?(?:explain|describe|provide|discuss|summari[sz]e|review|outline|present|cover|walk|look|examine|go)\b",
    re.I)
_PROMISE_EN_VERB = re.compile(r"\b(?:explain|describe|provide|discuss|summari[sz]e|review|outline|present|cover|walk|look|examine|"
                              r"go over|go through|walk through|run through|step through|detail|elaborate|break down|list|highlight|dive|delve|unpack|explore|take a look)\w*\b", re.I)

# Words any paper's answer could use: research-talk, praise, vague qualities. A clause made
# only of these (and of the question's own words) says nothing about this paper.
_GENERIC_JA = frozenset("""
研究 論文 本研究 本論文 本稿 本手法 本提案 分野 領域 貢献 寄与 重要 重要性 有望 可能性 期待 今後 将来 課題 改善 向上 性能
結果 成果 手法 提案 示唆 有効 有効性 効果 効果的 新た 新し 様々 多様 応用 発展 理解 影響 意義 価値 進展 革新 革新的 注目
役割 必要 必要性 検討 議論 分析 知見 洞察 方向性 方向 展開 有用 有用性 実用 実用的 実用性 問題 解決 取り組み 取組 点 側面
観点 全体 広範 大き 非常 特 多く 幅広 優 良 実現 達成 目的 目標 内容 詳細 情報 方法 アプローチ 技術 既存 従来 学術 社会
実世界 現実 場面 状況 文脈 コンテキスト モデル システム タスク データ 性質 特徴 特性 利点 欠点 限界 制約 課題点 評価 実験
検証 設計 構築 開発 機能 能力 品質 信頼性 透明性 公開 非公開 クローズド オープン 内部 仕組み 構造 全般 一般 一般的 今回
著者 著者ら 筆者 読者 コミュニティ 研究者 進歩 基盤 基礎 礎 道 開 切 新境地 貴重 提供 提示 紹介 説明 明ら 言及 記載 記述
述 示 触 具体 具体的 明確 明示 明記 以下 次 一方 他 本 的 性 化 上 中 内 主 各 全 等 新 高 大 多 面 者 際 前 後 更 真 可能
関連 関係 対象 範囲 程度 部分 要素 要因 理由 背景 動機 意味 目指 考 考察 示唆 批判 批判的 レビュー 概要 要約 まとめ 整理
分野全体 先行研究 先行 研究分野 今後の研究 将来研究 さらなる 更なる 幅 広 深 多数 少 強 弱 高度 高性能 高精度 優位 優位性
独自 独特 新規 新規性 斬新 先進的 画期的 重要な 主要 中心 核心 鍵 カギ 基本 基本的 全般的 総合 総合的 包括 包括的
効率 効率性 効率的 汎用 汎用性 拡張性 スケーラビリティ 頑健性 ロバスト性 柔軟性 柔軟 簡潔 シンプル 精度 正確 正確性
余地 改善点 注意 留意 一般化 注意点 留意点 実施 系統 系統的 体系 体系的 網羅的 回 間 差 大丈夫 段階 段階的 数値 確認
質問 結論 投資 対 投資対効果 費用対効果 メリット デメリット 長所 短所 素晴 大切 肝心 工夫 配慮 慎重 試行 本格 運用 現場
実務 実践 リスク 推測 推察 思わ 標準 標準的 通常 典型 典型的 恐ら おそら 一般的 妥当 適切 採用 比較 使用 利用 活用 導入 残念 申し訳 恐縮 同様 同じ 当該 位置 占 実運用 実行 遂行 役立 役 予想 予測 将来性 回答 答え 解答 要点 例外 規模 限ら 処理 対処 対応 扱 取り扱 行 焦点 主眼 指標 評価指標 設定 条件 手順 基準 計算資源 計算コスト 資源 コスト ハルシネーション 幻覚
バイアス 偏り 解釈性 説明性 倫理 プライバシー 生成 高速 堅牢性 安定性 安定 容易 簡単 複雑 困難 難し 優秀 顕著 大幅 著し 十分 不十分 適切 最適 最先端 先端 いくつか 複数 データセット 強調 重視 指摘 主張 報告
興味深 一概 面白 奥深 深遠
""".split())
_GENERIC_EN = frozenset("""
study studies paper papers work works research field fields area areas domain domains contribution contributions contribute
contributes contributed significant significantly important importance valuable insight insights promising potential potentially
future direction directions result results finding findings performance improve improves improved improvement improvements better
approach approaches method methods technique techniques propose proposes proposed novel new various variety wide range
application applications applicable effective effectiveness efficient efficiency model models system systems data closed open
source internal internals detail details detailed information publicly public available availability community researchers overall
general generally topic topics question questions answer answers authors author further investigation investigations needed need
needs explore explored exploration understanding advance advances advancement advancements progress impact impacts context
provided given text specific specifically explicit explicitly clear clearly mention mentioned several many key main major aspects
aspect area overall framework frameworks task tasks problem problems solution solutions challenge challenges limitation limitations
strength strengths weakness weaknesses benefit benefits advantage advantages novelty state art state-of-the-art existing prior
previous related way ways offer offers offered provide provides show shows shown demonstrate demonstrates demonstrated present
presents presented make makes made use uses used using help helps allow allows enable enables lead leads paves pave path
opens open valuable useful practical real world real-world broader broad deeper deep good great strong high highly
address addresses addressed should could would accuracy accurate robust robustness scalable scalability simple simplicity
perform performs performed performing likely probably possibly perhaps presumably standard typical typically common commonly conventional usual usually
design designed well-designed carefully straightforward works working work-well reasonable appropriate suitable proper
generalize generalizes generalization setting settings validation validate validated
require requires required requirement requirements careful caution attention
meaningful avenue avenues horizon horizons door doors opportunity opportunities possibility possibilities
produce produces produced perspective perspectives fresh comprehensive analysis analyses thorough
holistic unique innovative rigorous in-depth nuanced systematic solid interesting
scenario scenarios industry industries apply applies applied different choose chose chosen select selected
idea ideas concept concepts limited lacking missing insufficient experiment experiments evaluation evaluations risk risks misuse consequence consequences
implication implications matter matters value values meaningful insightful overview
set sets process processes processed processing handle handles handled handling deal deals dealt tackle tackles tackled
aim aims aimed focus focuses focused consider considers considered conduct conducts conducted carry carries carried
achieve achieves achieved accomplish accomplishes thing things something aspect everything
outperform outperforms outperformed superior compared comparison baseline baselines notable notably substantial substantially considerable considerably remarkable efficiently effectively several various
""".split())
# A negated predicate in any conjugation (ない, ません, ず, なかった, なく; "not", "n't", "no").
_NEGATION_JA = re.compile(r"(?<!すみ)(?<!すい)(?:ない|ません|なかった|なく|なし|無し)|(?<![\u3041-\u3093]ま)(?<!^ま)(?<!必)ず(?![っつ])")
_NEGATION_EN = re.compile(r"\b(?:not|no|never|nothing|none|nowhere|without)\b|n't\b", re.I)

# Words about the text, the question and the answering itself (本文, 文中, 話題, 答え, ヒント,
# 該当, 手元; "passage", "covers"): a clause made of these says where or whether something is
# written, never what the paper found.
_META_JA = frozenset("""
本文 文中 原文 原論文 資料 抜粋 文脈 手元 私 材料 判断材料 ヒント 該当 該当箇所 箇所 個所 範囲 部分 形跡 痕跡 手がかり 根拠
直接 明確 確か 正確 定か 以上 参照 おすすめ お勧め 推奨 セクション 見当 限り 読 残念 すみません 申し訳 件 事項 項目
言及 記述 記載 情報 論文中 本文中 文章中 内容 数字 記録 判断 判別 特定 把握 確認
定義 概観 概説 解説 俯瞰 詳述 列挙 掲載 明示 可否 付録 共有 名
""".split())
# Words that are content in a paper about questions and documents (質問に関連する文書を検索する)
# but, in a negated clause, are the question and the text themselves (文中にはっきりした答えはありません).
_DISCOURSE_JA = frozenset("文章 文書 テキスト 話題 トピック テーマ 疑問 質問 問い 答え 答 回答".split())
_META_EN = frozenset("""
excerpt excerpts snippet snippets describe describes described explain explains explained discuss discusses discussed
mention mentions mentioned state states stated say says said follow follows following hmm um uh own way ways piece
page pages section sections portion portions material materials shared supplied provided attached available
go goes went going gone see sees saw seen seeing come comes came know knows knew find finds found think thinks thought
tell tells told insight insights determine determined confirm confirmed infer inferred identify identified judge
appear appears appeared anywhere figures based according give gave giving laid lay sent send wrote written
called name named understand understood first then next finally leave leaves left come comes
""".split())
_DISCOURSE_WORDS_EN = frozenset("""passage passages text texts document documents context contexts cover covers covered
number numbers value values""".split())
# General vocabulary that names no method, data or result (選択, 仕組み, "exciting", "procedure").
_GENERIC_JA = _GENERIC_JA | frozenset("""選択 仕組 汎化 計算 以上 全般 関心 関心事 事 継続 継続的 社会的 プロセス 過程
フレームワーク ステップ 大変 申 訳 誠 考慮 一定 程度 両方 一部 視点 発想 着想 切り口 構成""".split())
_GENERIC_EN = _GENERIC_EN | frozenset("""exciting fascinating impressive groundbreaking pioneering crucial vital essential
procedure procedures step steps part parts enough sufficient scheme schemes""".split())
def _general_vocabulary() -> tuple[frozenset, frozenset]:
    """data/general_vocab.tsv (built by tools/build_general_vocab.py from a reviewed seed and JMdict):
    English and Japanese words of research talk that name no method, data or result on their own
    (approach, performance, various, 手法, 性能, 様々). A clause made only of these says nothing."""
    en, ja = set(), set()
    for line in files("ronbun").joinpath("data/general_vocab.tsv").read_text(encoding="utf-8").splitlines():
        lang, _, word = line.partition("\t")
        if word and not line.startswith("#"):
            (en if lang == "en" else ja).add(word)
    return frozenset(en), frozenset(ja)


_GENERAL_EN, _GENERAL_JA = _general_vocabulary()
_GENERIC_JA = _GENERIC_JA | _GENERAL_JA


def _general_en(word: str) -> bool:
    """An English word of research talk, or a hyphenated one made of them (large-scale, trade-offs)."""
    if word in _GENERAL_EN or _stem(word) in _GENERAL_EN:
        return True
    parts = [p for p in word.split("-") if p]
    return bool(parts) and all(p in _GENERIC_EN or p in _GENERAL_EN or p in _EN_FUNCTION or _stem(p) in _GENERAL_EN
                               for p in parts)


# The name of a whole field (AI, 機械学習, 宇宙論) is not a fact of this paper.
_FIELD_EN = re.compile(r"\b(?:machine|deep) learning\b|\bnatural language processing\b|\bcomputer vision\b"
                       r"|\binformation retrieval\b|\bartificial intelligence\b|\bspeech recognition\b", re.I)
_FIELD = re.compile(r"^(?:AI|ML|NLP|人工知能|機械学習|深層学習|ディープラーニング|自然言語処理|情報検索|コンピュータビジョン|"
                    r"画像認識|音声認識|統計学|物理学|宇宙論|天文学|医学|医療|臨床医学|法学|言語学|計算機科学|情報科学|データサイエンス)$")
_EN_FUNCTION = _STOPWORDS | frozenset("""
i you he she us me my your his her them its it's there's their's one ones some any all each every other another same
so very more most much less least only just even still yet however therefore thus hence while although though because since
if unless whether both either neither nor whose whom here now well already often usually also too again ever
will shall must cannot can't won't don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't
up out through down off unfortunately sadly regrettably indeed basically essentially
i'm i've i'd i'll we're we've we'd we'll you're they're that's what's couldn't wouldn't shouldn't mustn't
get gets got give gives given take takes took put puts say says said tell tells look looks seem seems appear appears
""".split())

_CLAUSE_SPLIT = re.compile(
    r"(?<=[すたるいだん])が[、,，]|けれど(?:も)?[、,，]?|ものの[、,，]?|(?<=ため)[、,，]|(?<=ので)[、,，]|"
    r"[。．!！?？\n;；]|(?<=[a-z0-9%)]) *[.] +|\s*[:：]\s*|,?\s+(?:but|although|though|however|whereas|while|because)\s+")
_COMMA = re.compile(r"[、,，]")
# A piece ending like this is a topic or an argument of the next piece, not a statement.
_TOPIC_TAIL = re.compile(r"(?:は|では|には|とは|について|に関して|に関しては|に関する|において|においては|として|としては|"
                         r"によると|によれば|の|を|に|へ|と|も|から|より|(?<![すたるいだん])が|または|及び|および|や|同様|同じく)$")
_NUMBER_RUN = re.compile(r"\d+")
_JA_WORD = re.compile(r"[\u30a1-\u30ffー]{2,}|[\u4e00-\u9fff々]+|[A-Za-z][A-Za-z0-9'.\-_+/]*|\d[\d.,]*")
_LIST_MARK = re.compile(r"^\s*(?:[・•●○■□▪◆◇\-*–]|[0-9]{1,2}[.)、](?!\d)|[(][0-9]{1,2}[)]|[①-⑳]|第[一二三四五六七八九十\d]+に[、,]?)\s*")
_INLINE_ITEM = re.compile(r"(?:(?:^|\s)(?:[0-9]{1,2}[.)](?!\d)|[(][0-9]{1,2}[)])|[①-⑳])\s*")
_INTERROGATIVE = re.compile(r"何|なに|なぜ|どの|どう|どれ|どこ|どんな|誰|いつ|いくつ|いくら|どちら|どのよう|\b(?:what|which|how|why|who|whom|when|where)\b", re.I)
_YES_NO = re.compile(r"^\s*(?:はい|いいえ|yes|no)\b", re.I)
# A request (「教えてください」 "explain") is not a yes/no question even without an interrogative.
_REQUEST = re.compile(r"ください|下さい|教えて|説明して|挙げて|まとめて|述べて|\b(?:please|describe|explain|list|summari[sz]e|tell me)\b", re.I)

NONE, POINTER, PROMISE, GENERIC, CONTENT = "none", "pointer", "promise", "generic", "content"
GUESS = "guess"     # content said as a possibility (〜の可能性があります, "might"): substance unless the answer says it does not know

# A guess: the writer's possibility, not the paper's statement.
_GUESS = re.compile(r"可能性が(?:あ|高|考えられ)|かもしれ|推測され|推測します|推察され|のではないか|"
                    r"\b(?:may|might|could|possibly|probably|perhaps|presumably|likely)\b", re.I)
# Reported speech: the possibility is the paper's own (〜の可能性があると述べています, "the authors suggest").
_REPORTED = re.compile(r"と(?:述べ|書か|書い|記さ|記し|指摘|主張|報告|説明|結論|示唆|推測し|考察し|論じ)|としてい|によると|によれば|"
                       r"\b(?:the )?(?:authors?|paper|study|they) (?:\w+ )?(?:says?|states?|notes?|argues?|suggests?|claims?|reports?|speculates?|concludes?)\b|"
                       r"\baccording to\b", re.I)
TOPIC = "topic"

# What the paper is about (「本論文は主に敗血症の早期発見に焦点を当てており」 "The study focuses on
# retrieval"): an answer only to a question about its topic or aim.
_PAPER_SUBJECT_ANY = re.compile(r"論文|本研究|この研究|本稿|著者|本手法|\b(?:the|this) (?:paper|study|work|article)\b|\bthe authors\b", re.I)
_TOPIC_PREDICATE = re.compile(r"焦点を(?:当て|あて)|主眼を置|重点を置|(?:課題|問題|テーマ)に取り組|を主題と"
                              r"|(?:示唆|知見|洞察|貢献)を(?:与え|もたら|提供)|に(?:貢献|寄与)して"
                              r"|\bfocus(?:es|ed)? (?:mainly |primarily |mostly )?on\b|\bis (?:mainly |primarily )?about\b|\bcent(?:er|re)s? on\b", re.I)
_ASKS_TOPIC = re.compile(r"目的|狙い|ねらい|テーマ|主題|焦点|概要|要約|要点|貢献|意義|何を(?:扱|研究|提案|目指|対象)|何について|"
                         r"(?:どんな|どのような|何の)(?:研究|論文)|取り組|\b(?:about|purpose|aim|goal|topic|focus|contribution|summar\w*)\b", re.I)


def _nfkc(text: str) -> str:
    """NFKC, with circled numbers as list numbers (① → "1. "), not bare digits."""
    text = re.sub(r"[①-⑳]", lambda m: f" {int(unicodedata.numeric(m.group(0)))}. ", text)
    text = re.sub(r"\*\*|__|^#+\s*", "", text, flags=re.M)          # **回答**：, ## まとめ
    return unicodedata.normalize("NFKC", text)


def _clauses(sentence: str) -> list[str]:
    """Clauses of one sentence: split at が、 けれど ため、 ので、 and at commas after a
    predicate; a comma after a topic (〜については、) joins the topic to what follows."""
    out: list[str] = []
    for part in _CLAUSE_SPLIT.split(sentence):
        carry = ""
        for piece in _COMMA.split(part or ""):
            piece = carry + piece
            carry = ""
            if _TOPIC_TAIL.search(piece.strip()):
                carry = piece + "、"
                continue
            if piece.strip():
                out.append(piece.strip())
        if carry.strip("、 "):
            out.append(carry.strip("、 "))
    return out


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("isation", "ization", "ation", "ised", "ized", "ises", "izes", "ise", "ize", "ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[:-len(suffix)].rstrip("e")
    return w.rstrip("e") if len(w) > 4 else w


def _known_compound(word: str, question: str, meta: frozenset = frozenset()) -> bool:
    """A kanji or katakana compound made entirely of the question's words and generic words
    (学習時間 when the question says 学習 and 時間 is generic does not count as new)."""
    n = len(word)
    ok = [True] + [False] * n
    for i in range(n):
        if not ok[i]:
            continue
        for j in range(i + 1, n + 1):
            piece = word[i:j]
            if piece in _GENERIC_JA or piece in meta or _FIELD.match(piece) or (j - i >= 2 and piece in question):
                ok[j] = True
    return ok[n]


def _novel_words(clause: str, question: str) -> list[str]:
    """Words of the clause that carry this paper's content: not the question's, not generic."""
    q_words = {_stem(w) for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]*", question)}
    negated = bool(_NEGATION_JA.search(clause) or _NEGATION_EN.search(clause))
    meta_ja = _META_JA | _DISCOURSE_JA if negated else _META_JA
    meta_en = _META_EN | _DISCOURSE_WORDS_EN if negated else _META_EN
    clause = _FIELD_EN.sub(" ", clause)      # "machine learning research": the field, not a fact
    novel = []
    for m in _JA_WORD.finditer(clause):
        w = m.group(0)
        if w[0].isdigit():
            if not re.search(r"(?<![\d.,])" + re.escape(w.rstrip(".,")) + r"(?![\d])", question):
                novel.append(w)             # the question's own number (なぜ7Bモデルを?) is not new
            continue
        if _FIELD.match(w):
            continue
        if w[0].isascii():
            lw = w.lower().strip(".-'")
            technical = any(c.isupper() or c.isdigit() for c in w[1:]) or w[:1].isupper() and len(w) > 1 and not w.istitle()
            if lw in _EN_FUNCTION or ((lw in _GENERIC_EN or lw in meta_en or lw.endswith("ly") and lw[:-2] in _GENERIC_EN
                                       or _general_en(lw)) and not technical):     # meaningfully, broadly
                continue
            if _stem(lw) in q_words or re.search(r"(?<![a-z0-9])" + re.escape(lw) + r"(?![a-z0-9])", question.lower()):
                continue                    # the question's own word ("D" is not in "LED-16384")
            novel.append(w)
            continue
        if w in _GENERIC_JA or w in meta_ja or w in question:
            continue
        if _known_compound(w, question, meta_ja):
            continue
        after = clause[m.end():m.end() + 2]
        if len(w) == 1 and not (after[:1] == "の" or (after[:1] == "な" and after not in ("なる", "なり", "なっ"))):
            continue                        # one kanji: a verb or adjective stem (優れ, 高い), but 疎な is a word
        novel.append(w)
    return novel


def _is_promise(sentence: str) -> bool:
    s = sentence.strip().rstrip("。．.!！:：")
    if _PROMISE_EN.search(s):
        return bool(_PROMISE_EN_VERB.search(s)) or s.lower().startswith(("here is", "here's", "below"))
    if not _PROMISE_JA.search(s):
        return False
    if _PROMISE_LEAD_JA.search(s):
        return True
    head = s[:max(0, len(s) - 12)]
    if _PAPER_SUBJECT.search(head):
        return False                        # 本論文はDPRを紹介します: a statement about the paper
    return "を" not in s or bool(_PROMISE_OBJECT.search(_PROMISE_JA.sub("", s)))


# A verb of discourse whose object is an embedded question says what the text is about, not what
# it says: "The paper discusses how the dataset was built", 「なぜ小さいのかについて議論しています」.
_DISCOURSE_EN = (r"(?:discuss|describe|explain|address|cover|detail|outline|examine|explore|consider|mention|elaborate on|"
                 r"talk about|go into|touch on|look at|look into|investigate|analy[sz]e)")
_EMBEDDED_QUESTION = re.compile(
    r"\b" + _DISCOURSE_EN + r"(?:es|s|ed|d|ing)?\s+(?:\w+\s+){0,2}?(?:how|why|what|whether|which|when|where)\b"
    r"|(?:どのように|どのような|どう|なぜ|何が|何を|何で|いかに|どの|どれ|どこ)[^。、]{0,30}?(?:のか|か)(?:どうか)?"
    r"(?:について|に関して|を|が|は)?[、,]?(?:詳しく|詳細に|具体的に|丁寧に|主に|簡単に)?"
    r"(?:説明|議論|検討|言及|紹介|記述|解説|分析|考察|論じ|述べ|示|扱|触れ)"
    r"|[^。、]{2,30}?かどうか(?:について|に関して|を|が|は)?[、,]?(?:詳しく|詳細に|具体的に)?"
    r"(?:説明|議論|検討|言及|紹介|記述|解説|分析|考察|論じ|述べ|示|扱|触れ)", re.I)
# A result that something did not change or help (「モデルを大きくしても精度はほとんど変わりませんでした」)
# is a finding even in generic words: praise true of any paper never says this.
_NULL_RESULT = re.compile(r"(?:ても|でも)[^。]{0,30}?(?:ほとんど|あまり|まったく|全く|ほぼ)?(?:変わら|変わり|変化し|改善し|向上し|上がら|上がり|下がら|下がり|"
                          r"効果が(?:見られ|な)|役立た|役立ち|寄与し)(?:なかった|ませんでした|ない|ません|ず)"
                          r"|\b(?:did not|didn't|does not|doesn't) (?:change|improve|help|affect)\b", re.I)
# 「Crawlerの役割は、PaSaにおいてCrawlerが果たす役割です」: the predicate is the topic noun again.
_TAUTOLOGY = re.compile(r"([\u30a1-\u30ffー]{2,}|[\u4e00-\u9fff々]{2,}|[A-Za-z]{2,})(?:と)?は[、,]?\s*(.+?)\1(?:に)?"
                        r"(?:です|である|だ|にあります|にある|となります|となる|でした|であった|といえます|と言えます)[。.．]?$")


# The word a negation is attached to: the last kanji or katakana run before it, with its kana.
_NEGATED_STEM = re.compile(r"([\u4e00-\u9fff々]+|[\u30a1-\u30ffー]+)([\u3041-\u3093]?)[\u3041-\u3093]*?(?:ない|ません|ず|なかった|なく|ぬ)")


# A verb of the text, of finding or of knowing, then its negation within its own inflection.
_TEXT_NEGATED_JA = re.compile(
    r"(?:述べ|書|記|示|触れ|答え|語|言|挙げ|載|含|見当|見つ|見え|見受け|見られ|見出|拾|読|分か|わか|知|判|揃|出て|出てこ|"
    r"存在|あり|有り|ござい|明か|明ら|明記|明示|記載|記述|言及|説明|報告|紹介|提示|議論|論じ|取り上げ|詳述|特定|確認|把握|断定|"
    r"回答|伝え|得ら|入っ|見)[\u3041-\u3093]{0,8}?(?:ない|ません|ず|なかった|なく|ぬ|なし)")
_TEXT_NEGATED_EN = re.compile(
    r"\b(?:information|details?|passages?|excerpts?|context|text|snippets?|pages?|sections?|material|answer|question|"
    r"says?|state[sd]?|mention(?:s|ed)?|cover(?:s|ed)?|describe[sd]?|discuss(?:es|ed)?|tell|know|find|found|see|seen|go into|"
    r"touch(?:es)? on|address(?:es|ed)?|specif(?:y|ies|ied)|report(?:s|ed)?|contain(?:s|ed)?|provide[sd]?|give[sn]?|offer(?:s|ed)?|"
    r"determine|confirm|infer|identify|judge|answer|appears?|figures|numbers?|anywhere|(?:laid|lay|spelled|spell|set) out)\b")
# The given text as the place where something is looked for: 文章中から, 資料には, 抜粋では.
_SOURCE_LOC_JA = re.compile(r"(?:本文|文中|文章|原文|資料|抜粋|文脈|コンテキスト|論文|情報)(?:中|内|の中|の範囲)?"
                            r"(?:から|に|で|より)(?:は|も)?")
_YES_NO_EN = re.compile(r"^\s*(?:do|does|did|is|are|was|were|can|could|has|have|had|will|would|should|may|might)\b", re.I)
_BARE_POLAR_EN = re.compile(r"^(?:no[,.]?\s*)?(?:it|they|he|she|this|that|the \w+)\s+(?:do|does|did|is|are|was|were|can|could|has|have|had|will|would|should)"
                            r"(?:\s*not|n't)\b[\s.!]*$", re.I)


_NEGATED_WORD_EN = re.compile(r"(?:\bnot|n't|\bnever|\bno)\s+(?:\w+ly\s+)?(?:any\s+|a\s+|an\s+|the\s+)?([a-z]+)")


# A request, not a question: 「述べてください」, but not 「述べていますか」.
_REQUEST_ONLY = re.compile(r"(?:教えて|説明して|挙げて|まとめて|述べて)(?:ください|下さい|ほしい|欲しい|もらえ|いただけ|[。?？]?\s*$)|ください|下さい"
                           r"|\b(?:please|describe|explain|list|summari[sz]e|tell me)\b", re.I)


def _asks_yes_no(question: str) -> bool:
    return bool(question) and not _INTERROGATIVE.search(question) and not _REQUEST_ONLY.search(question)


def _polar(clause: str, question: str) -> bool:
    """The clause negates the question's own predicate (Q 前処理を行っていますか → 行っていません,
    Q 追加の学習は必要ですか → 必要としない): a "no", which answers; a negation of anything else
    (答えていません, 拾えませんでした, 見えてこない) with nothing of its own says the text is silent."""
    for m in _NEGATED_STEM.finditer(clause):
        run, kana = m.group(1), m.group(2)
        if (len(run) >= 2 and run in question) or (run + kana) in question and len(run + kana) >= 2:
            return True
    if _NEGATION_EN.search(clause) and _YES_NO_EN.match(question) and _BARE_POLAR_EN.match(clause.strip()):
        return True                         # Q: Does it need labels? A: It does not.
    q_words = {_stem(w) for w in re.findall(r"[a-z]{3,}", question.lower())}
    for m in _NEGATED_WORD_EN.finditer(clause.lower()):
        word = m.group(1)
        if word not in _EN_FUNCTION and word not in _META_EN and _stem(word) in q_words:
            return True                     # Q: What preprocessing do they use? A: They don't use any.
    return False


# A comparison of two options (AよりBの方が, むしろ, "rather than") is a finding; praise compares the
# proposal only with what came before (既存手法より優れた性能).
_CONTRAST = re.compile(r"より(?:も)?[、,]?[^。]{0,30}?方が|むしろ|\brather than\b|\binstead of\b|\bmatters? more than\b", re.I)
_BASELINE = re.compile(r"既存|従来|先行|ベースライン|他の手法|他手法|比較手法|提案|\b(?:baselines?|existing|prior|previous|proposed|conventional)\b", re.I)


def _kind(clause: str, question: str, grounds=None) -> str:
    c = clause.strip()
    if _FILLER.match(c):
        return GENERIC
    frame = _UNIVERSAL.search(c) or _ADVICE.search(c)
    if frame:                               # true of any model (「一般的には32や64」), unless it names one
        rest = c[:frame.start()] + " " + c[frame.end():]
        if not any(_is_name(w) and not w[0].isdigit() for w in _novel_words(rest, question)):
            return GENERIC
    low = c.lower()
    if (_NONE_JA.search(c) or _NONE_EN.search(low) or _ABSENCE_JA.search(c) or _ABSENCE_EN.search(low)
            or (_SOURCE_EN.search(low) and _NEGATION_EN.search(low))
            or (_SOURCE_LOC_JA.search(c) and _TEXT_NEGATED_JA.search(c))
            or _CANNOT_FROM_SOURCE.search(c) or (_IN_GIVEN_TEXT.search(c) and _NEGATED_END.search(c))):
        # 「報告していない点は？」 asks for what is missing: naming it answers
        novel = _novel_words(c, question)
        if any(w[0].isdigit() for w in novel) or (novel and _ASKS_ABSENCE.search(question)):
            return CONTENT
        if _asks_yes_no(question) and _polar(c, question):
            return CONTENT                  # Q: 限界について述べていますか？ A: 述べていません。
        return NONE
    pointer = _POINTER_JA.search(c) or _POINTER_EN.search(c)
    if pointer:
        # 「誤答が多いことが第5節で分析されています」: a fact, then where it is
        fact = c[:pointer.start()]
        if re.search(r"(?:こと|点|旨)(?:が|を|は)[、,]?\s*$|[^\s]と[、,]?\s*$", fact) and _novel_words(fact, question):
            return CONTENT
        return POINTER
    if _is_promise(c):
        return PROMISE
    if _EMBEDDED_QUESTION.search(c):
        return POINTER
    novel = _novel_words(c, question)
    if (novel and _PAPER_SUBJECT_ANY.search(c) and _TOPIC_PREDICATE.search(c)
            and not any(_is_name(w) for w in novel)):
        return TOPIC
    tautology = _TAUTOLOGY.search(c)
    if tautology and len(_novel_words(tautology.group(2), question)) <= 1:
        return GENERIC
    if not novel and _NULL_RESULT.search(c):
        return CONTENT
    contrast = _CONTRAST.search(c)
    if not novel and contrast and not _BASELINE.search(c[:contrast.end()]) and not _restates(c, question):
        return CONTENT                      # データの質を上げる方が効果が大きい: praise never weighs two options
    if len(novel) == 1 and _HEDGE.search(c) and not _is_name(novel[0]):
        return GENERIC                      # an opinion with one word of its own is not a fact of the paper
    if novel and _GUESS.search(c) and not _REPORTED.search(c) and not any(_is_name(w) for w in novel):
        return GUESS
    if not novel and (_NEGATION_JA.search(c) or _NEGATION_EN.search(c)):
        # nothing of its own, and a verb of the text or of knowing negated (書き込まれていない,
        # 拾えませんでした, 見えてこない, "isn't something the passage covers"): the text is silent,
        # unless it says "no" to what was asked or the question asks what is missing. A negated verb
        # of the work (他ドメインでの実験を行っていない) is not an absence claim.
        if _polar(c, question) or _ASKS_ABSENCE.search(question):
            return CONTENT
        return NONE if _TEXT_NEGATED_JA.search(c) or _TEXT_NEGATED_EN.search(c.lower()) else GENERIC
    if (novel and grounds is not None and not _names_something(c, novel)
            and grounded(novel, grounds, _GENERIC_JA) is False and not _shared_words(c, question, grounds)):
        return GENERIC                      # ordinary words, none of which its quote says
    return CONTENT if novel else GENERIC


def _shared_words(clause: str, question: str, grounds) -> set[str]:
    """The clause's words, generic ones included but not the question's or words about the text,
    that have a counterpart in the quotes."""
    asked = set(_JA_WORD.findall(question))
    words = {w for w in _JA_WORD.findall(clause) if not w[0].isdigit() and w.lower() not in _EN_FUNCTION
             and w not in _META_JA and w.lower() not in _META_EN and w not in asked and (len(w) == 1 or w not in question)
             and not (len(w) == 1 and w in _GENERIC_JA)}      # 大, 高, 多: a hundred senses between them
    return mapped(words, grounds)


def _names_something(clause: str, novel: list[str]) -> bool:
    """A number or a name among the clause's own words: a Latin word inside Japanese (Planckの観測),
    or a capitalised or technical word inside English (Wikipedia, BM25)."""
    japanese = bool(re.search(r"[\u3041-\u30ff\u4e00-\u9fff]", clause))
    return any(_is_name(w) or (w[0].isascii() and (japanese or w[0].isupper() and not clause.startswith(w)))
               for w in novel)


def _unit_kinds(unit: str, question: str, grounds=None) -> list[str]:
    """The kinds of the clauses of one sentence, list entry or answer."""
    kinds = []
    for sentence in re.split(r"(?<=[。．!！?？])|\n", unit):
        if not sentence.strip():
            continue
        if _FILLER.match(sentence.strip()):
            kinds.append(GENERIC)
            continue
        if _is_promise(sentence):
            kinds.append(PROMISE)
            continue
        labelled = _LABEL.match(sentence)
        if labelled and sentence[labelled.end():].strip():
            sentence = sentence[labelled.end():]
        clauses = _clauses(sentence)
        if len(clauses) > 1 and _UNIVERSAL.search(clauses[0]) and not _novel_words(_UNIVERSAL.sub(" ", clauses[0]), question):
            kinds += [GENERIC if not any(_is_name(w) for w in _novel_words(_UNIVERSAL.sub(" ", c), question))
                      else _kind(c, question, grounds) for c in clauses]
            continue
        kinds += [_kind(c, question, grounds) for c in clauses]
    return kinds


def _entries(answer: str) -> tuple[str, list[str]]:
    """A list answer's lead-in and entries: bullet or numbered lines, 1. … 2. … in one line,
    or ；-separated points. Not a list: ("", [])."""
    lines = [ln for ln in answer.splitlines() if ln.strip()]
    marked = [i for i, ln in enumerate(lines) if _LIST_MARK.match(ln)]
    if len(marked) >= 2:
        lead = "\n".join(lines[:marked[0]])
        entries, current = [], ""
        for i in range(marked[0], len(lines)):
            if i in marked:
                if current:
                    entries.append(current)
                current = _LIST_MARK.sub("", lines[i])
            else:
                current += "\n" + lines[i]
        entries.append(current)
        return lead, entries
    inline = list(_INLINE_ITEM.finditer(answer))
    numbers = [int(unicodedata.numeric(c)) if len(c) == 1 else int(c)
               for c in ("".join(ch for ch in m.group(0) if ch.isnumeric()) for m in inline)]
    if len(inline) >= 2 and numbers == list(range(1, len(inline) + 1)):   # 1. … 2. … in order
        cuts = [m.start() for m in inline] + [len(answer)]
        return answer[:cuts[0]], [answer[inline[k].end():cuts[k + 1]] for k in range(len(inline))]
    parts = [p for p in re.split(r"[；;]", answer) if p.strip()]
    if len(parts) >= 2:
        return "", parts
    return "", []


def _substance(kinds: list[str]) -> bool:
    """A clause states something of the paper; a guess does only when nothing says "I do not know"
    (「専門家かクラウドソーシングの可能性がありますが、はっきりとはわかりません」 answers nothing)."""
    return CONTENT in kinds or (GUESS in kinds and NONE not in kinds)


def _entry_says_nothing(entry: str, question: str, grounds=None) -> bool:
    """「バッチサイズ：明記されていません」: a label and an empty value says nothing."""
    label, sep, value = entry.replace("：", ":").partition(":")
    text = value if sep and value.strip() else entry
    if sep and _novel_words(label, question):
        grounds = None                      # 「BLEU：翻訳の品質を測る」: the value describes what the label names
    kinds = _unit_kinds(text, question, grounds)
    return bool(kinds) and not _substance(kinds)


def non_answer_reason(answer: str, question: str = "", quotes: Sequence[str] = ()) -> str | None:
    """Why the answer does not answer (in English), or None when it states something of this
    paper: an absence claim, "not clear from the context", a promise with nothing after it,
    the question restated, a statement true of any paper, or a list of mostly such entries."""
    text, q = _nfkc(answer).strip(), _nfkc(question).strip()
    if not text:
        return None
    grounds = quote_index(quotes) if quotes else None
    lead, entries = _entries(text)
    if entries:
        empty = sum(_entry_says_nothing(e, q, grounds) for e in entries)
        lead_kinds = _unit_kinds(_NUMBER_RUN.sub("", lead), q) if lead.strip() else []   # 以下の3点です
        if empty * 2 > len(entries) and not _substance(lead_kinds):
            return f"{empty} of {len(entries)} list entries say nothing (not stated, unclear or generic)"
        return None
    kinds = _unit_kinds(text, q, grounds)
    if not kinds or _substance(kinds):
        return None
    if (q and not _INTERROGATIVE.search(q) and not _REQUEST.search(q) and _YES_NO.match(text)
            and not {NONE, POINTER, PROMISE} & set(kinds)):
        return None                        # はい、DPRはBM25より優れています。 answers a yes/no question
    if TOPIC in kinds and not {NONE, POINTER, PROMISE} & set(kinds):
        if _ASKS_TOPIC.search(q) or not q:
            return None
        return "answer says what the paper is about, not what was asked"
    if NONE in kinds:
        return "answer says the point is not stated or not clear, and nothing else"
    if POINTER in kinds:
        return "answer points to the paper instead of answering"
    if PROMISE in kinds:
        return "answer promises an explanation and gives none"
    if q and _restates(text, q):
        return "answer restates the question"
    return "answer is a generic statement true of any paper"


def _restates(answer: str, question: str) -> bool:
    """Most of the answer's words are the question's (for the message only)."""
    words = [w for w in _JA_WORD.findall(answer) if len(w) >= 2 and w.lower() not in _EN_FUNCTION]
    return bool(words) and 2 * sum(w in question for w in words) >= len(words)


def says_nothing(answer: str, question: str = "", quotes: Sequence[str] = ()) -> bool:
    """The answer does not answer (see `non_answer_reason`)."""
    return non_answer_reason(answer, question, quotes) is not None


_FUNCTION_BIGRAM = re.compile(r"^[\u3041-\u309f]{2}$")


def _bigrams(text: str) -> set[str]:
    s = "".join(c for c in normalize(text) if c.isalnum())
    return {s[i:i + 2] for i in range(len(s) - 1)}


def restates_question(question: str, answer: str) -> bool:
    """Mostly the question's own words with hardly anything new."""
    answer_bg = {b for b in _bigrams(answer) if not _FUNCTION_BIGRAM.match(b)}
    if not answer_bg:
        return False
    shared = answer_bg & _bigrams(question)
    novel = answer_bg - shared
    return len(shared) / len(answer_bg) >= 0.5 and len(novel) < 6


_QUESTION_TAIL = re.compile(r"(?:ですか|ますか|でしょうか|ましたか|か)?[？?。\s]*$")
_CONTENT_WORD = re.compile(r"[\u30a1-\u30ffー]{2,}|[\u4e00-\u9fff々]{2,}|[a-z0-9][a-z0-9.\-]+")


def _own_topic(words: set[str], other: set[str]) -> bool:
    return any(not any(w in o or o in w for o in other) for w in words)


def different_topics(a: str, b: str) -> bool:
    """Each question names something the other does not (エンコーダ vs デコーダ)."""
    wa, wb = set(_CONTENT_WORD.findall(normalize(a))), set(_CONTENT_WORD.findall(normalize(b)))
    return _own_topic(wa, wb) and _own_topic(wb, wa)


def question_similarity(a: str, b: str) -> float:
    """Jaccard of character bigrams after dropping the polite question ending."""
    x, y = _bigrams(_QUESTION_TAIL.sub("", a)), _bigrams(_QUESTION_TAIL.sub("", b))
    return len(x & y) / len(x | y) if x | y else 1.0
