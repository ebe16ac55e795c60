package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/screening"
)

// ErrorBody is the wire form of every native API error:
// {"error": {"code", "message", "field", "rule"}}.
type ErrorBody struct {
	Error ErrorInfo `json:"error"`
}

// ErrorInfo describes one error.
type ErrorInfo struct {
	Code      string `json:"code" doc:"Stable machine code, e.g. validation_failed, not_found, reference_exists"`
	Message   string `json:"message" doc:"Human-readable explanation"`
	Field     string `json:"field,omitempty" doc:"The request field at fault, dotted for nested fields"`
	Rule      string `json:"rule,omitempty" doc:"The rule the field broke: required, format, enum, max_length, ..."`
	RequestID string `json:"request_id,omitempty" doc:"Quote this when asking for support"`
}

// apiError is an ErrorBody with its HTTP status; it satisfies huma.StatusError.
type apiError struct {
	status int
	ErrorBody
}

func (e *apiError) Error() string  { return e.ErrorBody.Error.Message }
func (e *apiError) GetStatus() int { return e.status }

func newErr(status int, code, msg, field, rule string) *apiError {
	return &apiError{status: status, ErrorBody: ErrorBody{Error: ErrorInfo{Code: code, Message: msg, Field: field, Rule: rule}}}
}

// toAPIError maps a service error to the wire, in this one place. Errors of
// no known category are logged and answered with a generic 500 body.
func toAPIError(ctx context.Context, err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var fe *kyc.FieldError
	var ce *kyc.ConflictError
	switch {
	case errors.As(err, &fe) && errors.Is(err, kyc.ErrTooLarge):
		return newErr(http.StatusRequestEntityTooLarge, "payload_too_large", fieldMessage(fe), fe.Field, fe.Rule)
	case errors.As(err, &fe) && errors.Is(err, kyc.ErrNotFound):
		return newErr(http.StatusNotFound, "not_found", fieldMessage(fe), fe.Field, fe.Rule)
	case errors.As(err, &fe):
		return newErr(http.StatusUnprocessableEntity, "validation_failed", fieldMessage(fe), fe.Field, fe.Rule)
	case errors.As(err, &ce):
		return newErr(http.StatusConflict, ce.Code, ce.Msg, "", "")
	case errors.Is(err, kyc.ErrNotFound):
		return newErr(http.StatusNotFound, "not_found", notFoundMessage(err), "", "")
	case errors.Is(err, kyc.ErrRateLimited):
		return newErr(http.StatusTooManyRequests, "rate_limited", err.Error(), "", "")
	case errors.Is(err, kyc.ErrUnauthenticated):
		return newErr(http.StatusUnauthorized, "unauthenticated", "a valid API key is required: Authorization: Bearer <api key>", "", "")
	case errors.Is(err, kyc.ErrForbidden):
		return newErr(http.StatusForbidden, "forbidden", "this merchant may not do this", "", "")
	case errors.Is(err, kyc.ErrInvalid):
		return newErr(http.StatusBadRequest, "bad_request", err.Error(), "", "")
	case errors.Is(err, screening.ErrNoLists):
		return newErr(http.StatusServiceUnavailable, "lists_not_loaded", "no sanctions lists are loaded on this server (openkyc serve --lists-dir DIR)", "", "")
	case errors.Is(err, context.Canceled):
		return newErr(499, "client_closed_request", "the client closed the request", "", "")
	}
	slog.ErrorContext(ctx, "request failed", "request_id", httpmw.RequestID(ctx), "error", err)
	return newErr(http.StatusInternalServerError, "internal", "internal error; quote the request id when reporting it", "", "")
}

// fieldMessage names the field once: messages that already start with it are kept.
func fieldMessage(fe *kyc.FieldError) string {
	if strings.HasPrefix(fe.Msg, fe.Field+" ") {
		return fe.Msg
	}
	return fe.Field + ": " + fe.Msg
}

func notFoundMessage(err error) string {
	// Store errors read "<thing>: not found"; keep only the thing.
	msg := err.Error()
	if i := strings.Index(msg, ":"); i > 0 && !strings.ContainsAny(msg[:i], " ") {
		return msg[:i] + " not found"
	}
	return "not found"
}

var (
	requiredRE = regexp.MustCompile(`expected required property (\S+) to be present`)
	// unmarshalRE reads encoding/json's type errors, which huma passes on as
	// text; they name Go types and echo the value, so they are rewritten.
	unmarshalRE = regexp.MustCompile(`^json: cannot unmarshal (\w+).*? into Go (?:struct field \S*?\.(\S+)|value) of type (\S+)$`)
)

// unmarshalProblem rewrites a json type error as field, rule and message
// that name neither Go types nor the value sent.
func unmarshalProblem(msg string) (field, rule, detail string, ok bool) {
	m := unmarshalRE.FindStringSubmatch(msg)
	if m == nil {
		return "", "", "", false
	}
	field, kind := m[2], kyc.JSONKind(m[3])
	if field == "" {
		field = "body"
	}
	if m[1] == "number" && (kind == "an integer" || kind == "a number") {
		return field, "range", "must be " + kind + " in range", true
	}
	return field, "type", "must be " + kind, true
}

// humaNewError makes huma's own errors (schema validation, malformed JSON,
// body limits) speak our wire format. Only the first detail is reported; the
// rejected value is never echoed, since it may be personal data.
func humaNewError(status int, msg string, errs ...error) huma.StatusError {
	field, rule, detail := "", "", msg
	for _, e := range errs {
		var d huma.ErrorDetailer
		if !errors.As(e, &d) || d.ErrorDetail() == nil {
			if e != nil {
				detail = e.Error()
			}
			continue
		}
		det := d.ErrorDetail()
		loc := det.Location
		for _, p := range []string{"body.", "query.", "path.", "header."} {
			loc = strings.TrimPrefix(loc, p)
		}
		if loc == "body" || loc == "query" {
			loc = ""
		}
		if m := requiredRE.FindStringSubmatch(det.Message); m != nil {
			if loc != "" {
				loc += "."
			}
			loc += m[1]
		}
		field, detail = loc, det.Message
		break
	}
	if f, r, d, ok := unmarshalProblem(detail); ok && field == "" {
		field, rule, detail = f, r, d
	}
	code := "bad_request"
	if status == http.StatusBadRequest && field == "" {
		field, detail = "body", "the request body is not valid JSON: "+detail
	}
	switch status {
	case http.StatusUnprocessableEntity:
		code = "validation_failed"
	case http.StatusRequestEntityTooLarge:
		code = "payload_too_large"
	case http.StatusUnsupportedMediaType:
		code = "unsupported_media_type"
	case http.StatusInternalServerError:
		code, detail = "internal", "internal error; quote the request id when reporting it"
	}
	if field != "" && !strings.Contains(detail, field) {
		detail = field + ": " + detail
	}
	return newErr(status, code, detail, field, rule)
}

// writeError writes an error outside huma (plain handlers, middleware).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpmw.SetRetryAfter(w, err)
	ae := toAPIError(r.Context(), err)
	writeAPIError(w, r, ae)
}

func writeAPIError(w http.ResponseWriter, r *http.Request, ae *apiError) {
	body := ae.ErrorBody
	body.Error.RequestID = httpmw.RequestID(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ae.status)
	_ = json.NewEncoder(w).Encode(body)
}
