package kycsharing

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
)

// [openkyc] error codes (the provider documents only "0" for success). Every
// answer has HTTP status 200 and the envelope.
const (
	CodeOK        = "0"
	CodeParam     = "40001" // a field is missing, malformed or unknown; a file is refused
	CodeSign      = "40101" // sign missing or wrong
	CodeTimestamp = "40102" // timestamp missing or outside ±5 minutes
	CodeAuth      = "40103" // appId missing or unknown, merchant disabled
	CodeNotFound  = "40401" // requestNo unknown (also another merchant's)
	CodeDuplicate = "40901" // requestNo already used with other content
	CodeState     = "40902" // requestNo already submitted
	CodeRateLimit = "42901" // too many requests from this merchant or address; Retry-After says when
	CodeInternal  = "50000"
)

var errorNames = map[string]string{CodeParam: "PARAM_INVALID", CodeSign: "SIGN_INVALID", CodeTimestamp: "TIMESTAMP_INVALID",
	CodeAuth: "APP_ID_INVALID", CodeNotFound: "NOT_FOUND", CodeDuplicate: "DUPLICATE_REQUEST", CodeState: "STATE_INVALID", CodeRateLimit: "TOO_MANY_REQUESTS", CodeInternal: "INTERNAL_ERROR"}

// Error is a KYC Sharing error answer.
type Error struct{ Code, Msg string }

func (e *Error) Error() string { return e.Code + " " + e.Msg }

func fail(code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Envelope is every answer.
type Envelope struct {
	Success bool   `json:"success"`
	Error   string `json:"error"`
	Msg     string `json:"msg"`
	Code    string `json:"code"`
	Model   any    `json:"model"`
	TraceID string `json:"traceId"`
}

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
		return fail(CodeParam, fieldName(fe.Field)+": "+fe.Msg)
	case kyc.IsConflict(err):
		return fail(CodeDuplicate, "requestNo: already used")
	case errors.Is(err, kyc.ErrUnauthenticated), errors.Is(err, kyc.ErrForbidden):
		return fail(CodeAuth, "appId: unknown or disabled")
	case kyc.IsNotFound(err):
		return fail(CodeNotFound, "requestNo: unknown")
	}
	slog.ErrorContext(r.Context(), "kyc sharing request failed", "request_id", httpmw.RequestID(r.Context()), "error", err)
	return fail(CodeInternal, "internal error")
}

func fieldName(f string) string {
	m := map[string]string{"first_name": "individualInfo.firstName", "last_name": "individualInfo.lastName", "date_of_birth": "individualInfo.dob",
		"nationality": "individualInfo.country", "document_number": "individualInfo.number", "document_expiry": "individualInfo.validUntil",
		"address.country": "individualInfo.address.country", "address.line1": "individualInfo.address.address", "address.city": "individualInfo.address.city",
		"address.state": "individualInfo.address.state", "address.postal_code": "individualInfo.address.zipCode", "external_user_id": "email"}
	if n, ok := m[f]; ok {
		return n
	}
	return f
}

func traceID(r *http.Request) string {
	if id := httpmw.RequestID(r.Context()); id != "" {
		return id
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, e Envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(e)
}

func (d *Dialect) ok(w http.ResponseWriter, r *http.Request, model any) {
	writeJSON(w, Envelope{Success: true, Msg: "success", Code: CodeOK, Model: model, TraceID: traceID(r)})
}

func (d *Dialect) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	httpmw.SetRetryAfter(w, err)
	e := toError(r, err)
	writeJSON(w, Envelope{Success: false, Error: errorNames[e.Code], Msg: e.Msg, Code: e.Code, TraceID: traceID(r)})
}
