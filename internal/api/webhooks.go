package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// WebhookEndpointBody registers an endpoint.
type WebhookEndpointBody struct {
	URL    string   `json:"url" minLength:"1" maxLength:"2048" doc:"https URL that receives POSTed events"`
	Events []string `json:"events,omitempty" maxItems:"10" doc:"Event types to receive; empty means all: verification.submitted, verification.review, verification.completed, verification.resubmission_requested, screening.alert"`
}

// WebhookEndpoint is an endpoint on the wire.
type WebhookEndpoint struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"secret,omitempty" doc:"whsec_... signing secret; returned only when created or rotated"`
	CreatedAt time.Time `json:"created_at"`
}

// Delivery is one delivery attempt on the wire.
type Delivery struct {
	ID         string    `json:"id"`
	EventID    string    `json:"event_id"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code" doc:"0 when no response arrived"`
	Error      string    `json:"error,omitempty"`
	DurationMS float64   `json:"duration_ms"`
	CreatedAt  time.Time `json:"created_at"`
}

type webhookPath struct {
	ID string `path:"id" maxLength:"64"`
}

func (s *server) webhookRoutes() {
	tags := []string{"Webhooks"}
	huma.Register(s.api, huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/v1/webhooks", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary:      "Register a webhook endpoint",
		Description:  "Events are POSTed as JSON {type, timestamp, data} with Standard Webhooks headers webhook-id, webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>). The secret is returned only here.",
		MaxBodyBytes: 16 << 10, Responses: errorResponses(400, 401, 422),
	}, func(ctx context.Context, in *struct{ Body WebhookEndpointBody }) (*struct{ Body WebhookEndpoint }, error) {
		e, secret, err := s.Webhooks.CreateEndpoint(ctx, principal(ctx), in.Body.URL, in.Body.Events)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body WebhookEndpoint }{WebhookEndpoint{ID: e.ID, URL: e.URL, Events: e.Events, Secret: secret, CreatedAt: e.CreatedAt}}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/v1/webhooks", Tags: tags, Summary: "List webhook endpoints",
		Responses: errorResponses(401),
	}, func(ctx context.Context, _ *struct{}) (*struct {
		Body struct {
			Items []WebhookEndpoint `json:"items"`
		}
	}, error) {
		eps, err := s.Webhooks.ListEndpoints(ctx, principal(ctx))
		if err != nil {
			return nil, fail(ctx, err)
		}
		out := &struct {
			Body struct {
				Items []WebhookEndpoint `json:"items"`
			}
		}{}
		out.Body.Items = make([]WebhookEndpoint, 0, len(eps))
		for _, e := range eps {
			out.Body.Items = append(out.Body.Items, WebhookEndpoint{ID: e.ID, URL: e.URL, Events: e.Events, CreatedAt: e.CreatedAt})
		}
		return out, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/v1/webhooks/{id}", Tags: tags, DefaultStatus: http.StatusNoContent,
		Summary: "Delete a webhook endpoint", Responses: errorResponses(401, 404),
	}, func(ctx context.Context, in *webhookPath) (*struct{}, error) {
		if err := s.Webhooks.DeleteEndpoint(ctx, principal(ctx), in.ID); err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{}{}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/v1/webhooks/{id}/rotate", Tags: tags,
		Summary:     "Rotate an endpoint's secret",
		Description: "Returns the new secret. For 24 hours deliveries carry two signatures, with the new and the old secret.",
		Responses:   errorResponses(401, 404),
	}, func(ctx context.Context, in *webhookPath) (*struct {
		Body struct {
			Secret string `json:"secret"`
		}
	}, error) {
		secret, err := s.Webhooks.RotateSecret(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		out := &struct {
			Body struct {
				Secret string `json:"secret"`
			}
		}{}
		out.Body.Secret = secret
		return out, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-deliveries", Method: http.MethodGet, Path: "/v1/webhooks/{id}/deliveries", Tags: tags,
		Summary: "Delivery log of an endpoint, newest first", Responses: errorResponses(401, 404, 422),
	}, func(ctx context.Context, in *struct {
		ID    string `path:"id" maxLength:"64"`
		Limit int    `query:"limit" doc:"Page size, 1-200, default 50; outside the range is 422"`
	}) (*struct {
		Body struct {
			Items []Delivery `json:"items"`
		}
	}, error) {
		ds, err := s.Webhooks.Deliveries(ctx, principal(ctx), in.ID, in.Limit)
		if err != nil {
			return nil, fail(ctx, err)
		}
		out := &struct {
			Body struct {
				Items []Delivery `json:"items"`
			}
		}{}
		out.Body.Items = make([]Delivery, 0, len(ds))
		for _, d := range ds {
			out.Body.Items = append(out.Body.Items, Delivery{ID: d.ID, EventID: d.EventID, Attempt: d.Attempt, StatusCode: d.StatusCode,
				Error: d.Error, DurationMS: float64(d.Duration.Microseconds()) / 1000, CreatedAt: d.CreatedAt})
		}
		return out, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "redeliver-event", Method: http.MethodPost, Path: "/v1/events/{id}/redeliver", Tags: tags, DefaultStatus: http.StatusAccepted,
		Summary: "Deliver an event again to its endpoints (same webhook-id)", Responses: errorResponses(401, 404, 409),
	}, func(ctx context.Context, in *struct {
		ID string `path:"id" maxLength:"64"`
	}) (*struct{}, error) {
		if err := s.Webhooks.Redeliver(ctx, principal(ctx), in.ID); err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{}{}, nil
	})
}
