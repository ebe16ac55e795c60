package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/applicant"
)

// RetentionBody is a merchant's retention, in days (0: keep).
type RetentionBody struct {
	DocumentsDays int `json:"documents_days" minimum:"0" maximum:"36500" doc:"Documents and biometrics are deleted this many days after the applicant's last decision (0: keep)"`
	PIIDays       int `json:"pii_days" minimum:"0" maximum:"36500" doc:"Applicants are purged, leaving a tombstone, this many days after their last decision (0: keep)"`
	RestoreDays   int `json:"restore_days" minimum:"0" maximum:"365" doc:"A deleted applicant can be restored for this many days, then it is purged"`
}

type retentionOut struct{ Body RetentionBody }

type biometricsOut struct {
	Body struct {
		DocumentsDeleted int64 `json:"documents_deleted" doc:"Selfies, selfie-with-id photos and liveness frames deleted, with every face embedding"`
	}
}

func toRetention(rs applicant.RetentionSettings) *retentionOut {
	return &retentionOut{Body: RetentionBody{DocumentsDays: rs.DocumentsDays, PIIDays: rs.PIIDays, RestoreDays: rs.RestoreDays}}
}

func (s *server) erasureRoutes() {
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-applicant", Method: http.MethodDelete, Path: "/v1/applicants/{id}", Tags: []string{"Data protection"},
		Summary: "Delete an applicant",
		Description: "Records an erasure request: the applicant leaves the duplicate and face searches at once, its open verifications are cancelled, " +
			"and it is purged when the merchant's restore window ends (POST .../restore undoes the deletion before that). " +
			"With immediate=true the purge runs now. The purge deletes documents, biometrics, personal data and check evidence and keeps a tombstone: " +
			"the applicant's id and dates and its verifications' decisions. Repeating the call answers the same applicant.",
		Responses: errorResponses(401, 404),
	}, func(ctx context.Context, in *struct {
		ID        string `path:"id" maxLength:"64" doc:"Applicant id"`
		Immediate bool   `query:"immediate" doc:"Purge now instead of after the restore window"`
	}) (*applicantOut, error) {
		a, err := s.Erasure.DeleteApplicant(ctx, principal(ctx), in.ID, in.Immediate)
		return applicantReply(ctx, a, err)
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "restore-applicant", Method: http.MethodPost, Path: "/v1/applicants/{id}/restore", Tags: []string{"Data protection"},
		Summary:     "Restore a deleted applicant",
		Description: "Undoes a deletion before the purge (409 applicant_erased after it, 409 applicant_not_deleted for a live applicant). Cancelled verifications stay cancelled; face embeddings deleted with the request come back only with new selfies.",
		Responses:   errorResponses(401, 404, 409),
	}, func(ctx context.Context, in *idPath) (*applicantOut, error) {
		a, err := s.Erasure.RestoreApplicant(ctx, principal(ctx), in.ID)
		return applicantReply(ctx, a, err)
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-applicant-biometrics", Method: http.MethodDelete, Path: "/v1/applicants/{id}/biometrics", Tags: []string{"Data protection"},
		Summary:     "Delete an applicant's biometric data",
		Description: "Deletes the applicant's selfies, selfie-with-id photos, liveness frames and face embeddings now; the rest of its data stays.",
		Responses:   errorResponses(401, 404),
	}, func(ctx context.Context, in *idPath) (*biometricsOut, error) {
		n, err := s.Erasure.EraseBiometrics(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		out := &biometricsOut{}
		out.Body.DocumentsDeleted = n
		return out, nil
	})

	s.api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "export-applicant", Method: http.MethodGet, Path: "/v1/applicants/{id}/export", Tags: []string{"Data protection"},
		Summary: "Export everything held about an applicant",
		Description: "A zip archive: export.json (the applicant's data, documents, verifications with checks and decisions, and the audit entries about them; " +
			"reviewers' internal notes are left out) and the decrypted documents under documents/. Every export is audited. " +
			"409 applicant_erased after a purge.",
		Parameters: []*huma.Param{{Name: "id", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}}},
		Responses: mergeResponses(map[string]*huma.Response{"200": {Description: "OK", Content: map[string]*huma.MediaType{
			"application/zip": {Schema: &huma.Schema{Type: "string", ContentEncoding: "binary"}},
		}}}, errorResponses(401, 404, 409)),
	})
	s.muxHandle("GET /v1/applicants/{id}/export", http.HandlerFunc(s.exportApplicant))

	huma.Register(s.api, huma.Operation{
		OperationID: "get-retention", Method: http.MethodGet, Path: "/v1/retention", Tags: []string{"Data protection"},
		Summary: "Get the retention settings", Responses: errorResponses(401),
	}, func(ctx context.Context, _ *struct{}) (*retentionOut, error) {
		rs, err := s.Applicants.Retention(ctx, principal(ctx))
		if err != nil {
			return nil, fail(ctx, err)
		}
		return toRetention(rs), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "set-retention", Method: http.MethodPut, Path: "/v1/retention", Tags: []string{"Data protection"},
		Summary:      "Set the retention settings",
		Description:  "Retention counts from the applicant's last decision (or last change, without verifications); applicants with an open verification are kept. documents_days must not exceed pii_days when both are set.",
		MaxBodyBytes: 4 << 10, Responses: errorResponses(400, 401, 422),
	}, func(ctx context.Context, in *struct{ Body RetentionBody }) (*retentionOut, error) {
		rs, err := s.Applicants.SetRetention(ctx, principal(ctx), applicant.RetentionSettings{DocumentsDays: in.Body.DocumentsDays,
			PIIDays: in.Body.PIIDays, RestoreDays: in.Body.RestoreDays})
		if err != nil {
			return nil, fail(ctx, err)
		}
		return toRetention(rs), nil
	})
}

func (s *server) exportApplicant(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ex, err := s.Applicants.Export(ctx, principal(ctx), r.PathValue("id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+ex.Applicant.ID+`.zip"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Applicants.WriteZip(ctx, ex, w); err != nil {
		// The status is sent: break the connection so the client sees a
		// failed download rather than a short archive.
		slog.ErrorContext(ctx, "export failed", "applicant_id", ex.Applicant.ID, "error", err)
		panic(http.ErrAbortHandler)
	}
}
