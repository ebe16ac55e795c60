// Package client is the Go client of openkyc's native API (/v1): typed
// requests and answers, API-key authentication, Idempotency-Key on every
// POST, the API's errors as *Error, and VerifyWebhook for the signed
// webhooks. It uses the standard library only.
//
//	c := client.New("https://kyc.example.com", os.Getenv("OPENKYC_API_KEY"))
//	a, err := c.CreateApplicant(ctx, client.ApplicantInput{ExternalUserID: "user-1", FirstName: "Anna", LastName: "Eriksson"})
//
// The end-to-end tests of this package run every method against a real
// server and decode its answers strictly (unknown fields are errors), so
// these types cannot drift from the server's.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one openkyc server as one merchant.
type Client struct {
	base   string
	key    string
	hc     *http.Client
	strict bool
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: 30 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithStrictDecoding makes unknown fields in answers an error (the tests use
// it to catch drift; production code should not).
func WithStrictDecoding() Option { return func(c *Client) { c.strict = true } }

// New returns a client of the server at baseURL with a merchant API key.
func New(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), key: apiKey, hc: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Error is an error answer of the API.
type Error struct {
	Status     int           // HTTP status
	Code       string        // stable machine code: validation_failed, not_found, rate_limited, ...
	Message    string        // human explanation
	Field      string        // the request field at fault, if any
	Rule       string        // the rule it broke, if any
	RequestID  string        // quote it when asking for support
	RetryAfter time.Duration // rate limits: when to try again
}

func (e *Error) Error() string {
	s := fmt.Sprintf("openkyc: %d %s: %s", e.Status, e.Code, e.Message)
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// IsCode reports whether err is an API error with this code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

type idempotencyKey struct{}

// WithIdempotencyKey makes the POST made with ctx carry this
// Idempotency-Key, so retrying it after a lost answer does not repeat it:
// the server answers a repeat with the first answer. Without it each POST
// gets a fresh random key.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, key)
}

// NewIdempotencyKey returns a random key for a POST that may be retried.
func NewIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// do sends a request and decodes a 2xx answer into out (nil: none).
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method == http.MethodPost {
		key, _ := ctx.Value(idempotencyKey{}).(string)
		if key == "" {
			key = NewIdempotencyKey()
		}
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if sink, ok := out.(io.Writer); ok && res.StatusCode < 300 {
		_, err := io.Copy(sink, res.Body)
		return err
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 32<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var eb struct {
			Error struct {
				Code      string `json:"code"`
				Message   string `json:"message"`
				Field     string `json:"field"`
				Rule      string `json:"rule"`
				RequestID string `json:"request_id"`
			} `json:"error"`
		}
		_ = json.Unmarshal(b, &eb)
		e := &Error{Status: res.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message, Field: eb.Error.Field, Rule: eb.Error.Rule,
			RequestID: eb.Error.RequestID}
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		if e.Code == "" {
			e.Code, e.Message = "http_"+strconv.Itoa(res.StatusCode), strings.TrimSpace(string(b))
		}
		return e
	}
	if out == nil || len(b) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if c.strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("openkyc: decoding %s %s: %w", method, path, err)
	}
	return nil
}

// download streams a successful answer's body to w.
func (c *Client) download(ctx context.Context, path string, w io.Writer) error {
	return c.do(ctx, http.MethodGet, path, nil, "", w)
}

func (c *Client) json(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	ct := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	return c.do(ctx, method, path, body, ct, out)
}

func esc(s string) string { return url.PathEscape(s) }
