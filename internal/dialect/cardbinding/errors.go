package cardbinding

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Codes of the {code, msg, data} envelope. Every answer has HTTP status 200.
const (
	CodeOK        = "00000"
	CodeClient    = "A0000" // a client error no other code describes (unknown mc_trade_no)
	CodeSignature = "A0001" // api-key unknown, signature missing or wrong
	CodeTimestamp = "A0002" // timestamp missing, malformed or outside ±5 minutes
	CodeParam     = "A0003" // a header or field breaks its rule; msg names it
	CodeDuplicate = "A0005" // nonce replayed, or mc_trade_no already submitted
	CodePrivilege = "A0007" // merchant suspended, or no public key uploaded
	CodeRateLimit = "A0501" // too many requests from this merchant or address; Retry-After says when
	CodeInternal  = "B0000"
)

// Error is a card-binding error answer.
type Error struct{ Code, Msg string }

func (e *Error) Error() string { return e.Code + " " + e.Msg }

func fail(code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Envelope is every answer.
type Envelope struct {
	Code string `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data,omitempty"`
}

// zh are the Simplified Chinese texts of the codes, prefixed to the detail
// when the request asks for lang zh-CN.
var zh = map[string]string{CodeOK: "成功", CodeClient: "客户端错误", CodeSignature: "签名错误", CodeTimestamp: "时间戳错误",
	CodeParam: "参数错误", CodeDuplicate: "重复请求", CodePrivilege: "权限不足", CodeRateLimit: "请求次数超出限制", CodeInternal: "系统错误"}

// coreFields names the core's fields as this dialect does.
var coreFields = map[string]string{"first_name": "base_info.first_name", "last_name": "base_info.last_name", "email": "base_info.email",
	"external_user_id": "base_info.email", "phone": "base_info.mobile", "date_of_birth": "kyc_info.birthday",
	"nationality": "kyc_info.nationality_id", "document_number": "kyc_info.doc_no", "address.line1": "kyc_info.address",
	"address.city": "kyc_info.city", "address.state": "kyc_info.state", "address.postal_code": "kyc_info.zip_code",
	"address.country": "kyc_info.country_id"}

// toError maps any error to the dialect's code, in this one place.
func toError(r *http.Request, err error) *Error {
	var e *Error
	var fe *kyc.FieldError
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, kyc.ErrRateLimited):
		return fail(CodeRateLimit, err.Error())
	case errors.As(err, &fe):
		name := fe.Field
		if n, ok := coreFields[name]; ok {
			name = n
		}
		return fail(CodeParam, name+": "+fe.Msg)
	case errors.Is(err, kyc.ErrUnauthenticated):
		return fail(CodeSignature, "api-key: unknown")
	case errors.Is(err, kyc.ErrForbidden):
		return fail(CodePrivilege, "api-key: the merchant is suspended")
	case kyc.IsConflict(err):
		return fail(CodeDuplicate, "mc_trade_no: already used")
	case kyc.IsNotFound(err):
		return fail(CodeClient, "mc_trade_no: unknown")
	}
	slog.ErrorContext(r.Context(), "card binding request failed", "request_id", httpmw.RequestID(r.Context()), "error", err)
	return fail(CodeInternal, "internal error")
}

func write(w http.ResponseWriter, e Envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(e)
}

func (d *Dialect) ok(w http.ResponseWriter, data any) {
	write(w, Envelope{Code: CodeOK, Msg: "ok", Data: data})
}

func (d *Dialect) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	httpmw.SetRetryAfter(w, err)
	e := toError(r, err)
	msg := e.Msg
	if r.Header.Get("lang") == "zh-CN" {
		msg = zh[e.Code] + ": " + msg
	}
	write(w, Envelope{Code: e.Code, Msg: msg})
}
