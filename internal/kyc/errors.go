// Package kyc holds openkyc's shared vocabulary: identifiers, entities, status
// enums and error categories. It performs no I/O.
package kyc

import (
	"errors"
	"fmt"
	"time"
)

// Error categories. Every error a service returns wraps exactly one of these so
// each API surface can map it to its wire format in one place.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrInvalid         = errors.New("invalid")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrTooLarge        = errors.New("too large")
	ErrRateLimited     = errors.New("rate limited")
)

// RateLimitError is a request refused by a rate limit; it wraps
// ErrRateLimited and says when to try again.
type RateLimitError struct {
	Scope      string // "merchant", "address" or "decode" (the server's image decode memory)
	RetryAfter time.Duration
	// Reason replaces "too many requests from this <scope>" in the message.
	Reason string
}

func (e *RateLimitError) Error() string {
	s, _ := RetryAfterSeconds(e)
	if e.Reason != "" {
		return fmt.Sprintf("%s; retry in %d s", e.Reason, s)
	}
	return fmt.Sprintf("too many requests from this %s; retry in %d s", e.Scope, s)
}

// Unwrap returns the category.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// RetryAfterSeconds is the Retry-After value (whole seconds, at least 1) of
// a rate-limit error.
func RetryAfterSeconds(err error) (int, bool) {
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		return 0, false
	}
	return max(1, int((rl.RetryAfter+time.Second-1)/time.Second)), true
}

// FieldError is a validation failure of one input field. It wraps ErrInvalid
// (or ErrTooLarge) so callers can test the category with errors.Is.
type FieldError struct {
	Field string // wire name of the field, dotted for nested fields
	Rule  string // short machine rule: required, format, max_length, ...
	Msg   string // human message, never contains the rejected value
	cat   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns the error category.
func (e *FieldError) Unwrap() error {
	if e.cat != nil {
		return e.cat
	}
	return ErrInvalid
}

// Invalid returns a FieldError in the ErrInvalid category.
func Invalid(field, rule, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Rule: rule, Msg: fmt.Sprintf(format, args...)}
}

// TooLarge returns a FieldError in the ErrTooLarge category.
func TooLarge(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Rule: "max_size", Msg: fmt.Sprintf(format, args...), cat: ErrTooLarge}
}

// ConflictError is a conflict with a stable machine code (for example
// "reference_exists"), wrapping ErrConflict.
type ConflictError struct {
	Code string
	Msg  string
}

func (e *ConflictError) Error() string { return e.Msg }

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Conflict returns a ConflictError.
func Conflict(code, format string, args ...any) *ConflictError {
	return &ConflictError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// NotFoundField is a FieldError in the ErrNotFound category: the field names
// an object that does not exist for this merchant.
func NotFoundField(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Rule: "exists", Msg: fmt.Sprintf(format, args...), cat: ErrNotFound}
}

// IsNotFound reports whether err is in the ErrNotFound category.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsConflict reports whether err is in the ErrConflict category.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }
