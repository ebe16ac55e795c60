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
