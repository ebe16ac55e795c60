package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

// CheckRule configures one check of a level.
type CheckRule struct {
	Enabled          bool   `json:"enabled"`
	Required         bool   `json:"required,omitempty" doc:"the check must run: not applicable or a missing result sends the verification to review, and it cannot be allowed to be unavailable"`
	OnFail           string `json:"on_fail,omitempty" enum:"reject,review" doc:"what a failed result does; default reject"`
	AllowUnavailable bool   `json:"allow_unavailable,omitempty" doc:"decide without this check when its engine, assets or lists are missing, stale or failed (the decision's audit entry says so); otherwise such a verification goes to review with CHECK_UNAVAILABLE"`
	OnNotApplicable  string `json:"on_not_applicable,omitempty" enum:"pass,review" doc:"what a not-applicable result leads to; default review when required, else the check's own default (docs/levels.md)"`
}

// Level is a verification level on the wire.
type Level struct {
	Name                string               `json:"name" readOnly:"true"`
	Version             int                  `json:"version" readOnly:"true" doc:"Increases with every change; decisions record it"`
	RequiredDocuments   []string             `json:"required_documents"`
	MinAge              int                  `json:"min_age" minimum:"0" maximum:"120"`
	Checks              map[string]CheckRule `json:"checks" doc:"By check kind: documents.required, document.integrity, data.age, data.expiry, duplicate.identity, blocklist"`
	FinalReasons        []string             `json:"final_reasons" doc:"Reason codes that reject for good; others allow a retry"`
	MaxAttempts         int                  `json:"max_attempts" minimum:"1" maximum:"100" doc:"Submissions allowed per verification"`
	FaceMatch           *FaceThresholds      `json:"face_match,omitempty" doc:"face.match thresholds (cosine); default match 0.40, review 0.25"`
	RequireDocumentData bool                 `json:"require_document_data,omitempty" doc:"send to review (DOCUMENT_UNREADABLE) a verification where no engine read the holder's name and birth date from the document"`
}

// FaceThresholds are face.match's thresholds.
type FaceThresholds struct {
	Match  float64 `json:"match" minimum:"0" maximum:"1" doc:"at least this passes"`
	Review float64 `json:"review" minimum:"0" maximum:"1" doc:"at least this (and below match) asks for review; below fails"`
}

// LevelBody is a level to store.
type LevelBody struct {
	RequiredDocuments   []string             `json:"required_documents" maxItems:"8"`
	MinAge              int                  `json:"min_age" minimum:"0" maximum:"120"`
	Checks              map[string]CheckRule `json:"checks"`
	FinalReasons        []string             `json:"final_reasons" maxItems:"64"`
	MaxAttempts         int                  `json:"max_attempts" minimum:"1" maximum:"100"`
	FaceMatch           *FaceThresholds      `json:"face_match,omitempty"`
	RequireDocumentData bool                 `json:"require_document_data,omitempty"`
}

func toLevel(l policy.Level) Level {
	out := Level{Name: l.Name, Version: l.Version, MinAge: l.MinAge, Checks: map[string]CheckRule{}, FinalReasons: nonNilStrings(l.FinalReasons),
		MaxAttempts: l.MaxAttempts, RequiredDocuments: []string{}, RequireDocumentData: l.RequireDocumentData}
	if f := l.FaceMatch; f != nil {
		out.FaceMatch = &FaceThresholds{Match: f.Match, Review: f.Review}
	}
	for _, d := range l.RequiredDocuments {
		out.RequiredDocuments = append(out.RequiredDocuments, string(d))
	}
	for k, r := range l.Checks {
		out.Checks[string(k)] = CheckRule(r)
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *server) levelRoutes() {
	tags := []string{"Levels"}
	huma.Register(s.api, huma.Operation{
		OperationID: "list-levels", Method: http.MethodGet, Path: "/v1/levels", Tags: tags, Summary: "List verification levels",
		Responses: errorResponses(401),
	}, func(ctx context.Context, _ *struct{}) (*struct {
		Body struct {
			Items []Level `json:"items"`
		}
	}, error) {
		ls, err := s.Levels.List(ctx, principal(ctx))
		if err != nil {
			return nil, fail(ctx, err)
		}
		out := &struct {
			Body struct {
				Items []Level `json:"items"`
			}
		}{}
		for _, l := range ls {
			out.Body.Items = append(out.Body.Items, toLevel(l))
		}
		return out, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "get-level", Method: http.MethodGet, Path: "/v1/levels/{name}", Tags: tags, Summary: "Get a verification level",
		Responses: errorResponses(401, 404),
	}, func(ctx context.Context, in *struct {
		Name string `path:"name" maxLength:"64"`
	}) (*struct{ Body Level }, error) {
		l, err := s.Levels.Get(ctx, principal(ctx).MerchantID, in.Name)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body Level }{toLevel(l)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "put-level", Method: http.MethodPut, Path: "/v1/levels/{name}", Tags: tags, Summary: "Create or replace a verification level",
		MaxBodyBytes: 32 << 10, Responses: errorResponses(400, 401, 422),
	}, func(ctx context.Context, in *struct {
		Name string `path:"name" maxLength:"64"`
		Body LevelBody
	}) (*struct{ Body Level }, error) {
		l := policy.Level{Name: in.Name, MinAge: in.Body.MinAge, FinalReasons: in.Body.FinalReasons, MaxAttempts: in.Body.MaxAttempts,
			Checks: map[kyc.CheckKind]policy.CheckRule{}, RequireDocumentData: in.Body.RequireDocumentData}
		if f := in.Body.FaceMatch; f != nil {
			l.FaceMatch = &policy.FaceThresholds{Match: f.Match, Review: f.Review}
		}
		for _, d := range in.Body.RequiredDocuments {
			l.RequiredDocuments = append(l.RequiredDocuments, kyc.DocumentKind(d))
		}
		for k, r := range in.Body.Checks {
			l.Checks[kyc.CheckKind(k)] = policy.CheckRule(r)
		}
		saved, err := s.Levels.Put(ctx, principal(ctx), l)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body Level }{toLevel(saved)}, nil
	})
}
