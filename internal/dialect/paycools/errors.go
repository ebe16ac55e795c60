package paycools

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Codes of the {code, message, data, sign} envelope. Every answer has HTTP
// status 200.
const (
	CodeOK          = 10000
	CodeGeneral     = 21000 // server fault
	CodeSign        = 21001 // sign missing or not verifying; no public key uploaded
	CodeParam       = 21002 // a field breaks its rule; message names it
	CodeAppID       = 21003 // appId missing or unknown
	CodeUnavailable = 21004 // merchant suspended
	CodeNotFound    = 21006 // unknown mchOrderId / businessId (also another merchant's)
	CodeDuplicate   = 21007 // mchOrderId reused with other content
	CodeTimestamp   = 21008 // timestamp malformed
	CodeExpired     = 21009 // timestamp outside ±5 minutes
	CodeFrequency   = 21013 // too many requests from this merchant or address; Retry-After says when
)

// Error is a PayCools error answer.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func fail(code int, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Response is every answer; data is a JSON string signed with the platform key.
type Response struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
	Sign    string `json:"sign,omitempty"`
}

// toError maps any error to the dialect's code, in this one place.
func toError(r *http.Request, err error) *Error {
	var e *Error
	var fe *kyc.FieldError
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, kyc.ErrRateLimited):
		return fail(CodeFrequency, err.Error())
	case errors.As(err, &fe):
		return fail(CodeParam, fieldName(fe.Field)+": "+fe.Msg)
	case errors.Is(err, kyc.ErrUnauthenticated):
		return fail(CodeAppID, "appId: unknown")
	case errors.Is(err, kyc.ErrForbidden):
		return fail(CodeUnavailable, "appId: the merchant is unavailable")
	case kyc.IsConflict(err):
		return fail(CodeDuplicate, "mchOrderId: already used")
	case kyc.IsNotFound(err):
		return fail(CodeNotFound, "transaction not found")
	}
	slog.ErrorContext(r.Context(), "paycools request failed", "request_id", httpmw.RequestID(r.Context()), "error", err)
	return fail(CodeGeneral, "internal error")
}

func fieldName(f string) string {
	switch f {
	case "external_user_id":
		return "userId"
	case "return_url":
		return "returnUrl"
	case "locale":
		return "locale"
	}
	return f
}

func writeJSON(w http.ResponseWriter, v Response) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Dialect) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	httpmw.SetRetryAfter(w, err)
	e := toError(r, err)
	writeJSON(w, Response{Code: e.Code, Message: e.Msg})
}
