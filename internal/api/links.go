package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/hostedlink"
)

// LinkBody asks for a hosted-page link.
type LinkBody struct {
	TTLSeconds int    `json:"ttl_seconds,omitempty" doc:"Validity, 300 to 604800 seconds; default 86400"`
	ReturnURL  string `json:"return_url,omitempty" maxLength:"2048" doc:"https URL the user is sent to once done"`
	Locale     string `json:"locale,omitempty" doc:"en or zh-CN; default: the browser's language"`
}

// LinkOut is a created link. The URL holds a secret token and is shown only
// in this answer; give it to the end user only.
type LinkOut struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *server) linkRoutes() {
	huma.Register(s.api, huma.Operation{
		OperationID: "create-link", Method: http.MethodPost, Path: "/v1/verifications/{id}/links", Tags: []string{"Verifications"},
		Summary: "Create a hosted verification page link", DefaultStatus: http.StatusCreated, MaxBodyBytes: 8 << 10,
		Description: "The end user opens the URL to capture the document and a selfie and submit. 409 verification_not_open once the verification takes no more documents.",
		Responses:   errorResponses(400, 401, 404, 409, 422),
	}, func(ctx context.Context, in *struct {
		ID   string `path:"id" maxLength:"40"`
		Body LinkBody
	}) (*struct{ Body LinkOut }, error) {
		l, err := s.Links.Create(ctx, principal(ctx), in.ID, hostedlink.Input{
			TTL: time.Duration(in.Body.TTLSeconds) * time.Second, ReturnURL: in.Body.ReturnURL, Locale: in.Body.Locale})
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body LinkOut }{LinkOut{ID: l.ID, URL: l.URL, ExpiresAt: l.ExpiresAt}}, nil
	})
}

// HostedSettingsBody are the merchant's settings of the hosted page.
type HostedSettingsBody struct {
	EmbedOrigins []string `json:"embed_origins" maxItems:"10" doc:"Origins allowed to embed the hosted page in an iframe (openkyc.js): https://shop.example, https://shop.example:8443; http only for localhost. Empty: the page cannot be framed."`
}

func (s *server) hostedSettingsRoutes() {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-hosted-settings", Method: http.MethodGet, Path: "/v1/hosted/settings", Tags: []string{"Verifications"},
		Summary: "Get the hosted page settings", Responses: errorResponses(401),
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body HostedSettingsBody }, error) {
		origins, err := s.Links.EmbedOrigins(ctx, principal(ctx).MerchantID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body HostedSettingsBody }{HostedSettingsBody{EmbedOrigins: append([]string{}, origins...)}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "set-hosted-settings", Method: http.MethodPut, Path: "/v1/hosted/settings", Tags: []string{"Verifications"},
		Summary:      "Set the hosted page settings",
		Description:  "embed_origins become the page's Content-Security-Policy frame-ancestors; the page sends its postMessage events to them only. 422 names an origin that is not one (a path, a wildcard, plain http outside localhost).",
		MaxBodyBytes: 8 << 10, Responses: errorResponses(400, 401, 422),
	}, func(ctx context.Context, in *struct{ Body HostedSettingsBody }) (*struct{ Body HostedSettingsBody }, error) {
		origins, err := s.Links.SetEmbedOrigins(ctx, principal(ctx), in.Body.EmbedOrigins)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body HostedSettingsBody }{HostedSettingsBody{EmbedOrigins: origins}}, nil
	})
}
