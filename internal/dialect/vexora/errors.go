package vexora

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Error codes ([openkyc], DIALECTS.md §2). Every answer has HTTP status 200;
// clients read success and code.
const (
	CodeOK           = "0000"
	CodeSignature    = "1001"
	CodeParameter    = "1002"
	CodeMerchant     = "1003"
	CodeTimestamp    = "1004"
	CodeUserNotFound = "1005"
	CodeDuplicate    = "1006"
	CodeRateLimited  = "1007" // [openkyc] too many requests from this merchant or address; Retry-After says when
	CodeInternal     = "1999"
)

// Error is a Vexora error answer.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Code + " " + e.Msg }

func fail(code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// response is the Vexora envelope. data is an object in every answer (the
// seed's table: "data | Yes | Object"): {} when there is nothing to say.
type response struct {
	Msg       string `json:"msg"`
	Code      string `json:"code"`
	Timestamp string `json:"timestamp"`
	Success   bool   `json:"success"`
	Data      any    `json:"data"`
}

// toError maps any error to the Vexora code, in this one place.
func toError(ctx context.Context, err error) *Error {
	var ve *Error
	var fe *kyc.FieldError
	var ce *kyc.ConflictError
	switch {
	case errors.As(err, &ve):
		return ve
	case errors.Is(err, kyc.ErrRateLimited):
		return fail(CodeRateLimited, err.Error())
	case errors.As(err, &fe):
		return fail(CodeParameter, vexoraField(fe.Field)+": "+fe.Msg)
	case errors.As(err, &ce):
		return fail(CodeDuplicate, ce.Msg)
	case errors.Is(err, kyc.ErrUnauthenticated), errors.Is(err, kyc.ErrForbidden):
		return fail(CodeMerchant, "merchantNo: unknown or disabled merchant")
	case errors.Is(err, kyc.ErrNotFound):
		return fail(CodeUserNotFound, "no application for this user")
	}
	slog.ErrorContext(ctx, "vexora request failed", "error", err)
	return fail(CodeInternal, "internal error")
}

// vexoraField names core fields as the Vexora client sent them.
func vexoraField(f string) string {
	switch f {
	case "external_user_id":
		return "userId"
	case "date_of_birth":
		return "dateOfBirth"
	case "first_name":
		return "firstName"
	case "last_name":
		return "lastName"
	case "address.line1":
		return "address"
	case "file":
		return "file"
	}
	return f
}

func write(w http.ResponseWriter, now time.Time, r response) {
	r.Timestamp = strconv.FormatInt(now.UnixMilli(), 10)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = jsonEncode(w, r)
}

func writeErr(w http.ResponseWriter, r *http.Request, now time.Time, err error) {
	httpmw.SetRetryAfter(w, err)
	e := toError(r.Context(), err)
	write(w, now, response{Msg: e.Msg, Code: e.Code, Success: false, Data: struct{}{}})
}
