package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/idempotency"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Idempotency-Key: the first POST with a key runs and its response is
// stored; a later POST with the same key and the same request gets the stored
// response (Idempotent-Replayed: true); the same key with a different request
// is 409 idempotency_key_reused; while the first is still running, 409
// idempotency_key_in_progress. Server errors (5xx) release the key so the
// client can retry. "Same request" is the same method, path and body; for
// multipart bodies, the same form fields and file contents (the boundary may
// differ between retries).

const (
	maxIdempotencyKey = 255
	maxStoredResponse = 1 << 20
	// IdempotencyKeyTTL is how long a completed request is remembered.
	IdempotencyKeyTTL = idempotency.TTL
)

func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

func (s *server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !validIdempotencyKey(key) {
			writeAPIError(w, r, newErr(http.StatusBadRequest, "bad_request", "Idempotency-Key must be 1 to 255 printable ASCII characters", "Idempotency-Key", "format"))
			return
		}
		ctx := r.Context()
		p := principal(ctx)
		route := r.Method + " " + r.URL.Path
		// Bodies are hashed in full even when the handler stops early; bound them.
		r.Body = http.MaxBytesReader(w, r.Body, s.Applicants.Limits().MaxBytes+1<<20)
		for attempt := 0; ; attempt++ {
			rec, err := s.Idempotency.Get(ctx, p.MerchantID, key)
			if err == nil {
				if rec.Status == 0 {
					writeAPIError(w, r, newErr(http.StatusConflict, "idempotency_key_in_progress", "a request with this Idempotency-Key is still being processed; retry later", "Idempotency-Key", ""))
					return
				}
				sum, herr := requestHash(route, r.Header.Get("Content-Type"), r.Body)
				if herr != nil {
					writeError(w, r, kyc.Invalid("body", "incomplete", "the request body could not be read"))
					return
				}
				if sum != rec.RequestHash || route != rec.Route {
					writeAPIError(w, r, newErr(http.StatusConflict, "idempotency_key_reused", "this Idempotency-Key was used with a different request", "Idempotency-Key", ""))
					return
				}
				body, err := openReply(s.Keys, rec.Body, replyAAD(p.MerchantID, key))
				if err != nil {
					writeError(w, r, err)
					return
				}
				w.Header().Set("Content-Type", rec.ContentType)
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(rec.Status)
				_, _ = w.Write(body)
				return
			}
			if !kyc.IsNotFound(err) {
				writeError(w, r, err)
				return
			}
			ok, err := s.Idempotency.Reserve(ctx, p.MerchantID, key, route)
			if err != nil {
				writeError(w, r, err)
				return
			}
			if ok {
				break
			}
			if attempt > 2 {
				writeAPIError(w, r, newErr(http.StatusConflict, "idempotency_key_in_progress", "a request with this Idempotency-Key is still being processed; retry later", "Idempotency-Key", ""))
				return
			}
		}

		// Hash the body as the handler reads it.
		pr, pw := io.Pipe()
		hashed := make(chan string, 1)
		ct := r.Header.Get("Content-Type")
		go func() {
			sum, _ := requestHash(route, ct, pr)
			_, _ = io.Copy(io.Discard, pr)
			hashed <- sum
		}()
		body := r.Body
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(body, pw), body}
		cw := &captureWriter{ResponseWriter: w}
		defer func() {
			// A panicking handler must not leave the key reserved.
			if v := recover(); v != nil {
				pw.CloseWithError(io.ErrUnexpectedEOF)
				_ = s.Idempotency.Release(context.WithoutCancel(r.Context()), p.MerchantID, key)
				panic(v)
			}
		}()
		next.ServeHTTP(cw, r)
		_, drainErr := io.Copy(pw, body)
		pw.Close()
		sum := <-hashed

		ctx = r.Context()
		if cw.status == 0 || cw.status >= 500 || cw.overflow || drainErr != nil {
			if err := s.Idempotency.Release(ctx, p.MerchantID, key); err != nil {
				s.logError(r, "release idempotency key", err)
			}
			return
		}
		rec := idempotencyRecord(p.MerchantID, key, route, sum, cw)
		sealed, err := s.Keys.Seal(rec.Body, replyAAD(p.MerchantID, key))
		if err == nil {
			rec.Body, rec.SubjectID = sealed, replySubject(r.URL.Path, cw.buf.Bytes())
			err = s.Idempotency.Complete(ctx, rec)
		}
		if err != nil {
			s.logError(r, "store idempotency key", err)
		}
	})
}

// requestHash is sha256 over the route and the body; multipart bodies are
// hashed by their fields' names and contents, so a new boundary on retry is
// still the same request.
func requestHash(route, contentType string, body io.Reader) (string, error) {
	raw := sha256.New()
	raw.Write([]byte(route))
	raw.Write([]byte{0})
	mediaType, params, _ := mime.ParseMediaType(contentType)
	if mediaType == "multipart/form-data" && params["boundary"] != "" {
		canon := sha256.New()
		canon.Write([]byte(route))
		canon.Write([]byte{0, 'm'})
		if err := hashMultipart(canon, io.TeeReader(body, raw), params["boundary"]); err == nil {
			return hex.EncodeToString(canon.Sum(nil)), nil
		}
	}
	if _, err := io.Copy(raw, body); err != nil {
		return "", err
	}
	return hex.EncodeToString(raw.Sum(nil)), nil
}

func hashMultipart(h hash.Hash, body io.Reader, boundary string) error {
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := part.FormName()
		h.Write([]byte(strconv.Itoa(len(name))))
		h.Write([]byte{':'})
		h.Write([]byte(name))
		cw := &countWriter{w: h}
		if _, err := io.Copy(cw, part); err != nil {
			return err
		}
		h.Write([]byte{0})
		h.Write([]byte(strconv.FormatInt(cw.n, 10)))
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// captureWriter keeps a copy of the response for replay.
type captureWriter struct {
	http.ResponseWriter
	status   int
	buf      bytes.Buffer
	overflow bool
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.buf.Len()+len(p) > maxStoredResponse {
		c.overflow = true
	} else {
		c.buf.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (s *server) logError(r *http.Request, what string, err error) {
	slog.ErrorContext(r.Context(), "idempotency bookkeeping failed", "step", what, "error", err)
}

func idempotencyRecord(merchantID, key, route, sum string, cw *captureWriter) idempotency.Record {
	return idempotency.Record{MerchantID: merchantID, Key: key, Route: route, RequestHash: sum, Status: cw.status,
		ContentType: cw.Header().Get("Content-Type"), Body: cw.buf.Bytes()}
}

// Stored replies hold personal data (an applicant as created): they are
// sealed, bound to their merchant and key.
func replyAAD(merchantID, key string) []byte { return []byte("idempotency:" + merchantID + ":" + key) }

// replySubject names the applicant a stored reply is about, so that its
// erasure removes the reply: the applicant of the path, else the
// applicant_id or applicant id of the JSON reply.
func replySubject(path string, body []byte) string {
	if rest, ok := strings.CutPrefix(path, "/v1/applicants/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		if kyc.ValidID(kyc.PrefixApplicant, id) {
			return id
		}
	}
	var v struct {
		ID          string `json:"id"`
		ApplicantID string `json:"applicant_id"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	switch {
	case kyc.ValidID(kyc.PrefixApplicant, v.ApplicantID):
		return v.ApplicantID
	case kyc.ValidID(kyc.PrefixApplicant, v.ID):
		return v.ID
	}
	return ""
}

// openReply opens a sealed reply; a JSON reply stored in the clear by a
// version before sealing (at most IdempotencyKeyTTL old) is served as is.
func openReply(kr *crypto.Keyring, stored, aad []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] == '{' || stored[0] == '[' {
		return stored, nil
	}
	return kr.Open(stored, aad)
}
