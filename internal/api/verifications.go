package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
)

// CreateVerificationBody starts a verification.
type CreateVerificationBody struct {
	ApplicantID string `json:"applicant_id" minLength:"1" maxLength:"64"`
	Reference   string `json:"reference" minLength:"1" maxLength:"128" doc:"Your reference of this attempt; unique per merchant"`
	Level       string `json:"level,omitempty" maxLength:"64" doc:"Verification level; default basic"`
}

// Check is one check result on the wire.
type Check struct {
	ID            string          `json:"id"`
	Kind          string          `json:"kind"`
	Status        string          `json:"status" enum:"passed,failed,review,not_run,error"`
	NotRunKind    string          `json:"not_run_kind,omitempty" enum:"unavailable,not_applicable" doc:"With status not_run: unavailable (the engine, its assets or lists are missing, stale or failed) or not_applicable (the input has nothing for this check)"`
	Score         float64         `json:"score"`
	ReasonCode    string          `json:"reason_code,omitempty"`
	Evidence      json.RawMessage `json:"evidence"`
	EngineVersion string          `json:"engine_version"`
	CreatedAt     time.Time       `json:"created_at"`
}

// Verification is a verification on the wire.
type Verification struct {
	ID          string    `json:"id"`
	ApplicantID string    `json:"applicant_id"`
	Reference   string    `json:"reference"`
	Level       string    `json:"level"`
	State       string    `json:"state" enum:"created,submitted,processing,review,completed,expired,cancelled"`
	Decision    *string   `json:"decision" nullable:"true" enum:"approved,rejected" doc:"Set when state is completed"`
	RejectType  *string   `json:"reject_type" nullable:"true" enum:"retry,final" doc:"Set when the decision is rejected"`
	Reasons     []string  `json:"reasons" doc:"Machine reason codes of the decision"`
	UserMessage string    `json:"user_message,omitempty" doc:"Safe to show the end user"`
	Attempt     int       `json:"attempt" doc:"Submissions so far; after a retry rejection, submit again to make another"`
	Checks      []Check   `json:"checks,omitempty" doc:"Check results (single-verification reads only)"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toVerification(v kyc.Verification, checks []kyc.Check) Verification {
	out := Verification{ID: v.ID, ApplicantID: v.ApplicantID, Reference: v.Reference, Level: v.Level, State: string(v.State),
		Decision: strPtr(string(v.Decision)), RejectType: strPtr(string(v.RejectType)), Reasons: v.Reasons, UserMessage: v.UserMessage, Attempt: v.Attempt,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	if out.Reasons == nil {
		out.Reasons = []string{}
	}
	if checks != nil {
		out.Checks = make([]Check, 0, len(checks))
		for _, c := range checks {
			ev := json.RawMessage(c.Evidence)
			if len(ev) == 0 {
				ev = json.RawMessage("{}")
			}
			out.Checks = append(out.Checks, Check{ID: c.ID, Kind: string(c.Kind), Status: string(c.Status), NotRunKind: notRunKind(c), Score: c.Score, ReasonCode: c.ReasonCode,
				Evidence: ev, EngineVersion: c.EngineVersion, CreatedAt: c.CreatedAt})
		}
	}
	return out
}

type verificationOut struct {
	Status int
	Body   Verification
}

type verificationPath struct {
	ID string `path:"id" maxLength:"64" doc:"Verification id"`
}

// VerificationList is a page of verifications.
type VerificationList struct {
	Items      []Verification `json:"items"`
	NextCursor *string        `json:"next_cursor" nullable:"true" doc:"Pass as cursor for the next page; null on the last page"`
}

func (s *server) verificationRoutes() {
	huma.Register(s.api, huma.Operation{
		OperationID: "create-verification", Method: http.MethodPost, Path: "/v1/verifications", Tags: []string{"Verifications"},
		Summary: "Start a verification", DefaultStatus: http.StatusCreated, MaxBodyBytes: 16 << 10,
		Responses: errorResponses(400, 401, 404, 409, 422),
	}, func(ctx context.Context, in *struct{ Body CreateVerificationBody }) (*verificationOut, error) {
		v, err := s.Verifications.Create(ctx, principal(ctx), kyc.SurfaceNative, verification.CreateInput{
			ApplicantID: in.Body.ApplicantID, Reference: in.Body.Reference, Level: in.Body.Level})
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &verificationOut{Status: http.StatusCreated, Body: toVerification(v, nil)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "submit-verification", Method: http.MethodPost, Path: "/v1/verifications/{id}/submit", Tags: []string{"Verifications"},
		Summary: "Submit a verification for checking", DefaultStatus: http.StatusAccepted,
		Description: "Moves the verification from created to submitted; checks then run asynchronously. 409 invalid_transition if it was already submitted.",
		Responses:   errorResponses(401, 404, 409),
	}, func(ctx context.Context, in *verificationPath) (*verificationOut, error) {
		v, err := s.Verifications.Submit(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &verificationOut{Status: http.StatusAccepted, Body: toVerification(v, nil)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-verification", Method: http.MethodGet, Path: "/v1/verifications/{id}", Tags: []string{"Verifications"},
		Summary: "Get a verification with its checks", Responses: errorResponses(401, 404),
	}, func(ctx context.Context, in *verificationPath) (*verificationOut, error) {
		v, checks, err := s.Verifications.Get(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &verificationOut{Status: http.StatusOK, Body: toVerification(v, checks)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-verifications", Method: http.MethodGet, Path: "/v1/verifications", Tags: []string{"Verifications"},
		Summary: "List verifications, newest first", Responses: errorResponses(401, 422),
	}, func(ctx context.Context, in *struct {
		State  string `query:"state" doc:"Only verifications in this state"`
		Cursor string `query:"cursor" maxLength:"64" doc:"next_cursor of the previous page"`
		Limit  int    `query:"limit" doc:"Page size, 1-200, default 50"`
	}) (*struct{ Body VerificationList }, error) {
		page, err := s.Verifications.List(ctx, principal(ctx), verification.ListInput{State: in.State, Cursor: in.Cursor, Limit: in.Limit})
		if err != nil {
			return nil, fail(ctx, err)
		}
		out := &struct{ Body VerificationList }{Body: VerificationList{Items: make([]Verification, 0, len(page.Items)), NextCursor: strPtr(page.NextCursor)}}
		for _, v := range page.Items {
			out.Body.Items = append(out.Body.Items, toVerification(v, nil))
		}
		return out, nil
	})
}

func reflectType[T any]() reflect.Type { return reflect.TypeFor[T]() }

// notRunKind is a not_run result's kind on the wire; results stored before
// the distinction count as unavailable, as the levels count them.
func notRunKind(c kyc.Check) string {
	if c.Status != kyc.CheckNotRun {
		return ""
	}
	if c.NotRunKind == "" {
		return string(kyc.NotRunUnavailable)
	}
	return string(c.NotRunKind)
}
