"""Domain errors: each carries a stable code, an HTTP status, a Japanese message and
whether retrying later could help. Handlers and the CLI map them in one place."""

from __future__ import annotations


class RonbunError(Exception):
    code = "internal_error"
    status = 500
    message_ja = "内部エラーが発生しました。しばらくしてから再度お試しください。"
    retryable = False

    def __init__(self, message: str | None = None, *, message_ja: str | None = None,
                 retryable: bool | None = None, status: int | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        if message_ja is not None:
            self.message_ja = message_ja
        if retryable is not None:
            self.retryable = retryable
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        return str(self)

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "message_ja": self.message_ja}


class InvalidPaperId(RonbunError):
    """Not a valid arXiv identifier."""
    code = "invalid_paper_id"
    status = 400
    message_ja = "arXiv の論文 ID として正しくありません(例: 2401.15884, hep-th/9901001)。"


class InvalidRequest(RonbunError):
    """The request is malformed."""
    code = "invalid_request"
    status = 400
    message_ja = "リクエストの形式が正しくありません。"


class PaperNotFound(RonbunError):
    """arXiv has no paper with this identifier."""
    code = "paper_not_found"
    status = 404
    message_ja = "arXiv にこの ID の論文が見つかりません。ID を確認してください。"


class ArxivUnavailable(RonbunError):
    """arXiv did not answer properly after retries."""
    code = "arxiv_unavailable"
    status = 503
    message_ja = "arXiv に接続できませんでした。しばらくしてから再度お試しください。"
    retryable = True


class PdfError(RonbunError):
    """The PDF cannot be used."""
    code = "pdf_invalid"
    status = 422
    message_ja = "PDF を読み込めませんでした。"


class PdfNotPdf(PdfError):
    """The file is not a PDF."""
    code = "pdf_invalid"
    message_ja = "取得したファイルが PDF ではありません。"


class PdfTruncated(PdfError):
    """The PDF is truncated or damaged."""
    code = "pdf_truncated"
    message_ja = "PDF が途中で切れているか壊れています。"


class PdfTooLarge(PdfError):
    """The PDF is larger than the configured limit."""
    code = "pdf_too_large"
    status = 413
    message_ja = "PDF が大きすぎるため処理できません。"


class PdfEncrypted(PdfError):
    """The PDF is encrypted."""
    code = "pdf_encrypted"
    message_ja = "PDF が暗号化されているため本文を読み取れません。"


class PdfNoText(PdfError):
    """The PDF has no extractable text (scanned images or fonts without a Unicode map)."""
    code = "pdf_no_text"
    message_ja = "PDF から本文のテキストを抽出できませんでした(画像のみ、または文字情報のないフォント)。"


class EngineNotConfigured(RonbunError):
    """The selected engine is not configured (for openai: OPENAI_API_KEY is not set)."""
    code = "engine_not_configured"
    status = 500
    message_ja = "要約エンジンが設定されていません(OPENAI_API_KEY が未設定です)。"


class ModelError(RonbunError):
    """The language model failed to answer."""
    code = "model_error"
    status = 502
    message_ja = "要約モデルの呼び出しに失敗しました。しばらくしてから再度お試しください。"
    retryable = True


class ModelRefused(RonbunError):
    """The language model refused to answer."""
    code = "model_refused"
    status = 502
    message_ja = "要約モデルがこの論文の要約を拒否しました。"


class ModelOutputInvalid(RonbunError):
    """The language model's answer was unusable (truncated or not the expected shape)."""
    code = "model_output_invalid"
    status = 502
    message_ja = "要約モデルの出力が不完全でした。再度お試しください。"
    retryable = True


class QualityRejected(RonbunError):
    """No part of the generated answer survived verification."""
    code = "quality_rejected"
    status = 502
    message_ja = "生成された要約が検証を通過しませんでした。"


class BudgetExceeded(RonbunError):
    """The daily generation cap has been reached."""
    code = "daily_limit_reached"
    status = 429
    message_ja = "本日の要約生成の上限に達しました。明日以降に再度お試しください(既に要約済みの論文は表示できます)。"
    retryable = True


class NotFound(RonbunError):
    """Nothing has been requested for this paper yet."""
    code = "not_found"
    status = 404
    message_ja = "この論文の要約はまだリクエストされていません。"


class Unauthorized(RonbunError):
    """Missing or wrong API key."""
    code = "forbidden"
    status = 403
    message_ja = "API キーが正しくありません。拡張機能の設定を確認してください。"


class JobLost(RonbunError):
    """The job stopped before finishing: its worker died, its message was lost, or it gave up."""
    code = "job_failed"
    status = 500
    message_ja = "処理が途中で中断されました。もう一度お試しください。"


class InvalidSettings(RonbunError):
    """A setting (an environment variable) has a value of the wrong type."""
    code = "invalid_settings"
    status = 500
    message_ja = "設定(環境変数)の値が正しくありません。"


class PdfTooComplex(PdfError):
    """Extracting the PDF's text exceeded its time or memory bound (e.g. content streams that
    expand to megabytes per page, or deeply nested objects)."""
    code = "pdf_too_complex"
    status = 422
    message_ja = ("PDF の構造が複雑すぎるため、制限時間・メモリの範囲内で本文を抽出できませんでした。"
                  "この論文は要約できません。")
    retryable = False


class DeadlineExceeded(RonbunError):
    """The request or job ran out of time before a step could finish (it stopped before starting it)."""
    code = "deadline_exceeded"
    status = 503
    message_ja = "処理時間の上限に達したため、途中で処理を止めました。しばらくしてから自動的に(または再度のリクエストで)再試行します。"
    retryable = True
