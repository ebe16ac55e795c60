package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// BlocklistEntryBody blocks a value.
type BlocklistEntryBody struct {
	Kind  string `json:"kind" enum:"document_number,email,phone,name"`
	Value string `json:"value" minLength:"1" maxLength:"200"`
	Note  string `json:"note,omitempty" maxLength:"500"`
}

// BlocklistEntry is a blocked value on the wire.
type BlocklistEntry struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *server) blocklistRoutes() {
	tags := []string{"Blocklist"}
	huma.Register(s.api, huma.Operation{
		OperationID: "add-blocklist-entry", Method: http.MethodPost, Path: "/v1/blocklist", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary:      "Block a document number, e-mail, phone or name",
		Description:  "Values are normalised like applicant data (document numbers to letters and digits, e-mails lower-cased, phones to E.164, names folded) and matched by keyed hash by the blocklist check.",
		MaxBodyBytes: 4 << 10, Responses: errorResponses(400, 401, 409, 422),
	}, func(ctx context.Context, in *struct{ Body BlocklistEntryBody }) (*struct{ Body BlocklistEntry }, error) {
		e, err := s.Applicants.Blocklist().Add(ctx, principal(ctx), in.Body.Kind, in.Body.Value, in.Body.Note)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body BlocklistEntry }{BlocklistEntry(e)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-blocklist", Method: http.MethodGet, Path: "/v1/blocklist", Tags: tags, Summary: "List blocked values",
		Responses: errorResponses(401),
	}, func(ctx context.Context, _ *struct{}) (*struct {
		Body struct {
			Items []BlocklistEntry `json:"items"`
		}
	}, error) {
		es, err := s.Applicants.Blocklist().Entries(ctx, principal(ctx))
		if err != nil {
			return nil, fail(ctx, err)
		}
		out := &struct {
			Body struct {
				Items []BlocklistEntry `json:"items"`
			}
		}{}
		out.Body.Items = make([]BlocklistEntry, 0, len(es))
		for _, e := range es {
			out.Body.Items = append(out.Body.Items, BlocklistEntry(e))
		}
		return out, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "remove-blocklist-entry", Method: http.MethodDelete, Path: "/v1/blocklist/{id}", Tags: tags, DefaultStatus: http.StatusNoContent,
		Summary: "Unblock a value", Responses: errorResponses(401, 404),
	}, func(ctx context.Context, in *struct {
		ID string `path:"id" maxLength:"64"`
	}) (*struct{}, error) {
		if err := s.Applicants.Blocklist().Remove(ctx, principal(ctx), in.ID); err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{}{}, nil
	})
}
