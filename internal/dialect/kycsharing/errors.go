package kycsharing

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
)

// [openkyc] error codes (the provider documents only 0 for success). Every
// answer has HTTP status 200 and the envelope. The seed's response table
// types code as an integer (its example prints "0"): openkyc sends an
// integer.
const (
	CodeOK        = 0
	CodeParam     = 40001 // a field is missing, malformed or unknown; a file is refused
	CodeSign      = 40101 // sign missing or wrong
	CodeTimestamp = 40102 // timestamp missing or outside ±5 minutes
	CodeAuth      = 40103 // appId missing or unknown, merchant disabled
	CodeNotFound  = 40401 // requestNo unknown (also another merchant's)
	CodeDuplicate = 40901 // requestNo already used with other content
	CodeState     = 40902 // requestNo already submitted
	CodeRateLimit = 42901 // too many requests from this merchant or address; Retry-After says when
	CodeInternal  = 50000
)

// Error is a KYC Sharing error answer.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return strconv.Itoa(e.Code) + " " + e.Msg }

func fail(code int, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Envelope is every answer, typed as the seed's response table: error is
// the failure flag (a boolean), code an integer.
type Envelope struct {
	Success bool   `json:"success"`
	Error   bool   `json:"error"`
	Msg     string `json:"msg"`
	Code    int    `json:"code"`
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
	writeJSON(w, Envelope{Success: false, Error: true, Msg: e.Msg, Code: e.Code, TraceID: traceID(r)})
}
