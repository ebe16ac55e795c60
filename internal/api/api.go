// Package api is the native REST API /v1: huma v2 on the standard library
// mux, OpenAPI 3.1 at /v1/openapi.json, bearer API keys, Idempotency-Key on
// every POST, and errors as {"error": {code, message, field, rule}}.
package api

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/idempotency"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/level"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/webhook"
)

// Version is the API version in the OpenAPI document.
const Version = "1.0.0"

// Deps are the services the API calls.
type Deps struct {
	Merchants     *merchant.Service
	Verifications *verification.Service
	Erasure       *verification.Erasure
	Applicants    *applicant.Service
	Levels        *level.Service
	Webhooks      *webhook.Service
	Idempotency   *idempotency.Service
	Keys          *crypto.Keyring // seals stored idempotent replies
	Links         *hostedlink.Service
	Screening     *screening.Screener // nil: POST /v1/screenings answers lists_not_loaded
}

type server struct {
	Deps
	api huma.API
	reg registrar
}

// muxHandle registers a plain handler with the same middleware as huma's.
func (s *server) muxHandle(pattern string, h http.Handler) { s.reg.mux.Handle(pattern, s.reg.wrap(h)) }

// registrar wraps every operation huma registers with authentication and
// idempotency, except the public OpenAPI documents.
type registrar struct {
	mux  *http.ServeMux
	wrap func(http.Handler) http.Handler
}

// ServeHTTP serves the underlying mux (humago.Mux requires it).
func (r registrar) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }

func (r registrar) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	if strings.Contains(pattern, "/v1/openapi") || strings.Contains(pattern, "/v1/schemas") {
		r.mux.HandleFunc(pattern, h)
		return
	}
	r.mux.Handle(pattern, r.wrap(http.HandlerFunc(h)))
}

// Config returns the huma configuration of the native API.
func Config() huma.Config {
	cfg := huma.DefaultConfig("openkyc API", Version)
	cfg.OpenAPIPath = "/v1/openapi"
	cfg.DocsPath = "" // the docs UI loads third-party assets; serve only the document
	cfg.SchemasPath = "/v1/schemas"
	cfg.CreateHooks = nil // no $schema links in bodies: the wire stays as documented
	cfg.Info.Description = "Native API of openkyc, a self-hosted KYC verification server."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"apiKey": {Type: "http", Scheme: "bearer", Description: "Authorization: Bearer <api key>, as printed by `openkyc merchant create`."},
	}
	cfg.Security = []map[string][]string{{"apiKey": {}}}
	return cfg
}

// huma builds its own errors (schema validation, malformed JSON, body limits)
// through package variables; they are set once, before any API is mounted,
// so that those errors speak this API's wire format.
func init() {
	huma.NewError = humaNewError
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		e := humaNewError(status, msg, errs...).(*apiError)
		e.ErrorBody.Error.RequestID = httpmw.RequestID(ctx.Context())
		return e
	}
}

// Mount registers the native API's routes on mux.
func Mount(mux *http.ServeMux, d Deps) huma.API {
	if d.Merchants == nil || d.Verifications == nil || d.Erasure == nil || d.Applicants == nil || d.Levels == nil || d.Webhooks == nil || d.Idempotency == nil ||
		d.Keys == nil || d.Links == nil {
		panic("api.Mount: a service of Deps is nil (only Screening may be)") // wiring, not input: fail at start, not per request
	}
	s := &server{Deps: d}
	reg := registrar{mux: mux, wrap: func(h http.Handler) http.Handler { return s.authenticate(s.idempotent(h)) }}
	s.reg = reg
	s.api = humago.New(reg, Config())
	// The error body is referenced by every operation's error responses.
	s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[ErrorBody](), true, "ErrorBody")
	s.routes()
	return s.api
}

// routes lists every route of the native API.
func (s *server) routes() {
	s.applicantRoutes()
	s.erasureRoutes()
	s.documentRoutes()
	s.verificationRoutes()
	s.levelRoutes()
	s.dialectRoutes()
	s.linkRoutes()
	s.hostedSettingsRoutes()
	s.blocklistRoutes()
	s.webhookRoutes()
	s.screeningRoutes()
	s.screeningListRoutes()
}

type principalKey struct{}

func principal(ctx context.Context) kyc.Principal {
	p, _ := ctx.Value(principalKey{}).(kyc.Principal)
	return p
}

// authenticate resolves the bearer API key to a merchant principal. The
// scheme name is case-insensitive (RFC 9110 §11.1): "bearer" does too.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, key, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="openkyc"`)
			writeError(w, r, kyc.ErrUnauthenticated)
			return
		}
		p, err := s.Merchants.Authenticate(r.Context(), strings.TrimSpace(key))
		if err != nil {
			if errors.Is(err, kyc.ErrUnauthenticated) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="openkyc", error="invalid_token"`)
			}
			writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// fail converts a service error for huma, adding the request id.
func fail(ctx context.Context, err error) error {
	ae := toAPIError(ctx, err)
	cp := *ae
	cp.ErrorBody.Error.RequestID = httpmw.RequestID(ctx)
	return &cp
}

// errorResponses documents the error body on every operation; every
// operation may also answer 429 (rate limits).
func errorResponses(codes ...int) map[string]*huma.Response {
	out := map[string]*huma.Response{}
	for _, c := range append(codes, http.StatusTooManyRequests) {
		out[strconv.Itoa(c)] = &huma.Response{
			Description: http.StatusText(c),
			Content:     map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorBody"}}},
		}
	}
	return out
}
