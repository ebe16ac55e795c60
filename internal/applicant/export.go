package applicant

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Export is everything held about one applicant (the data subject's
// access right): its data, documents, verifications with their checks and
// decisions, and the audit entries about them. Reviewers' internal notes
// are left out; the documents travel as files beside export.json.
type Export struct {
	FormatVersion int                  `json:"format_version"`
	ExportedAt    time.Time            `json:"exported_at"`
	Applicant     ExportedApplicant    `json:"applicant"`
	Documents     []ExportDocument     `json:"documents"`
	Verifications []ExportVerification `json:"verifications"`
	Audit         []ExportAudit        `json:"audit"`

	docs []kyc.Document
}

// ExportedApplicant is the applicant with its personal data.
type ExportedApplicant struct {
	ID             string      `json:"id"`
	Surface        kyc.Surface `json:"surface"`
	ExternalUserID string      `json:"external_user_id"`
	PII            kyc.PII     `json:"data"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	DeletedAt      *time.Time  `json:"deleted_at,omitempty"`
	PurgeAfter     *time.Time  `json:"purge_after,omitempty"`
}

// ExportDocument describes one document and names its file in the archive.
type ExportDocument struct {
	ID          string           `json:"id"`
	Kind        kyc.DocumentKind `json:"kind"`
	ContentType string           `json:"content_type"`
	Size        int64            `json:"size"`
	SHA256      string           `json:"sha256"`
	// RemovedTrailer: what a phone appended after the image and was not
	// stored (the bytes are not held, so not exported).
	RemovedTrailer *kyc.RemovedTrailer `json:"removed_trailer,omitempty"`
	CreatedAt      time.Time           `json:"created_at"`
	File           string              `json:"file"`
}

// ExportVerification is one verification with its checks and decisions.
type ExportVerification struct {
	ID          string           `json:"id"`
	Surface     kyc.Surface      `json:"surface"`
	Reference   string           `json:"reference"`
	Level       string           `json:"level"`
	State       kyc.State        `json:"state"`
	Decision    kyc.Decision     `json:"decision,omitempty"`
	RejectType  kyc.RejectType   `json:"reject_type,omitempty"`
	Reasons     []string         `json:"reasons"`
	UserMessage string           `json:"user_message,omitempty"`
	Attempt     int              `json:"attempt"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
	Checks      []ExportCheck    `json:"checks"`
	Decisions   []ExportDecision `json:"decisions"`
}

// ExportCheck is one check result with its evidence.
type ExportCheck struct {
	ID            string          `json:"id"`
	Kind          kyc.CheckKind   `json:"kind"`
	Status        kyc.CheckStatus `json:"status"`
	NotRunKind    kyc.NotRunKind  `json:"not_run_kind,omitempty"`
	Score         float64         `json:"score"`
	ReasonCode    string          `json:"reason_code,omitempty"`
	Evidence      json.RawMessage `json:"evidence"`
	EngineVersion string          `json:"engine_version"`
	CreatedAt     time.Time       `json:"created_at"`
}

// ExportDecision is one decision (without the internal note).
type ExportDecision struct {
	ID          string         `json:"id"`
	Decision    kyc.Decision   `json:"decision"`
	RejectType  kyc.RejectType `json:"reject_type,omitempty"`
	Reasons     []string       `json:"reasons"`
	UserMessage string         `json:"user_message,omitempty"`
	DecidedBy   string         `json:"decided_by"`
	CreatedAt   time.Time      `json:"created_at"`
}

// ExportAudit is one audit entry about the applicant or its records.
type ExportAudit struct {
	At          time.Time       `json:"at"`
	Actor       string          `json:"actor"`
	Action      string          `json:"action"`
	SubjectType string          `json:"subject_type"`
	SubjectID   string          `json:"subject_id"`
	Data        json.RawMessage `json:"data"`
}

// exportAuditLimit bounds the audit entries of one export.
const exportAuditLimit = 10000

// Export gathers an applicant's export and records it in the audit
// trail; WriteZip then streams it. A purged applicant has nothing to
// export (409 applicant_erased).
func (s *Service) Export(ctx context.Context, p kyc.Principal, id string) (*Export, error) {
	a, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if a.Erased() {
		return nil, kyc.Conflict("applicant_erased", "the applicant was purged; only its tombstone remains")
	}
	now := s.clock()
	ex := &Export{FormatVersion: 1, ExportedAt: now, Documents: []ExportDocument{}, Verifications: []ExportVerification{}, Audit: []ExportAudit{},
		Applicant: ExportedApplicant{ID: a.ID, Surface: a.Surface, ExternalUserID: a.ExternalUserID, PII: a.PII, CreatedAt: a.CreatedAt,
			UpdatedAt: a.UpdatedAt, DeletedAt: a.DeletedAt, PurgeAfter: a.PurgeAfter}}
	subjects := []string{a.ID}
	if ex.docs, err = s.store.DocumentsByApplicant(ctx, p.MerchantID, id); err != nil {
		return nil, err
	}
	for _, d := range ex.docs {
		ex.Documents = append(ex.Documents, ExportDocument{ID: d.ID, Kind: d.Kind, ContentType: d.ContentType, Size: d.Size,
			SHA256: d.SHA256, RemovedTrailer: d.Trailer, CreatedAt: d.CreatedAt, File: exportFile(d)})
		subjects = append(subjects, d.ID)
	}
	vs, err := s.store.VerificationsOfApplicant(ctx, p.MerchantID, id, 1000)
	if err != nil {
		return nil, err
	}
	for i := len(vs) - 1; i >= 0; i-- { // oldest first
		v, checks, err := s.store.VerificationWithChecks(ctx, p.MerchantID, vs[i].ID)
		if err != nil {
			return nil, err
		}
		ev := ExportVerification{ID: v.ID, Surface: v.Surface, Reference: v.Reference, Level: v.Level, State: v.State, Decision: v.Decision,
			RejectType: v.RejectType, Reasons: v.Reasons, UserMessage: v.UserMessage, Attempt: v.Attempt, CreatedAt: v.CreatedAt,
			UpdatedAt: v.UpdatedAt, Checks: []ExportCheck{}, Decisions: []ExportDecision{}}
		for _, c := range checks {
			ev.Checks = append(ev.Checks, ExportCheck{ID: c.ID, Kind: c.Kind, Status: c.Status, NotRunKind: exportKind(c), Score: c.Score, ReasonCode: c.ReasonCode,
				Evidence: rawOrEmpty(c.Evidence), EngineVersion: c.EngineVersion, CreatedAt: c.CreatedAt})
		}
		decs, err := s.store.Decisions(ctx, p.MerchantID, v.ID)
		if err != nil {
			return nil, err
		}
		for _, d := range decs {
			ev.Decisions = append(ev.Decisions, ExportDecision{ID: d.ID, Decision: d.Decision, RejectType: d.RejectType, Reasons: d.Reasons,
				UserMessage: d.UserMessage, DecidedBy: d.DecidedBy, CreatedAt: d.CreatedAt})
		}
		ex.Verifications = append(ex.Verifications, ev)
		subjects = append(subjects, v.ID)
	}
	entries, err := s.store.AuditBySubject(ctx, p.MerchantID, subjects, exportAuditLimit)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		ex.Audit = append(ex.Audit, ExportAudit{At: e.At, Actor: e.Actor, Action: e.Action, SubjectType: e.SubjectType, SubjectID: e.SubjectID,
			Data: rawOrEmpty(e.Data)})
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, p, now, "applicant.export", "applicant", id, map[string]any{"documents": len(ex.docs), "verifications": len(vs)})
	})
	if err != nil {
		return nil, err
	}
	return ex, nil
}

func rawOrEmpty(b []byte) json.RawMessage {
	if len(b) == 0 || !json.Valid(b) {
		return json.RawMessage("{}")
	}
	return b
}

func exportFile(d kyc.Document) string {
	ext := ".bin"
	switch d.ContentType {
	case docfile.JPEG:
		ext = ".jpg"
	case docfile.PNG:
		ext = ".png"
	case docfile.WebP:
		ext = ".webp"
	case docfile.PDF:
		ext = ".pdf"
	}
	return "documents/" + d.ID + ext
}

// WriteZip streams the export as a zip archive: export.json and the
// decrypted documents. An error after the first byte leaves a truncated
// archive; the caller aborts the response.
func (s *Service) WriteZip(ctx context.Context, ex *Export, w io.Writer) error {
	zw := zip.NewWriter(w)
	hdr := &zip.FileHeader{Name: "export.json", Method: zip.Deflate, Modified: ex.ExportedAt}
	f, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ex); err != nil {
		return err
	}
	for _, d := range ex.docs {
		if err := s.zipDocument(ctx, zw, d, ex.ExportedAt); err != nil {
			return fmt.Errorf("export document %s: %w", d.ID, err)
		}
	}
	return zw.Close()
}

func (s *Service) zipDocument(ctx context.Context, zw *zip.Writer, d kyc.Document, at time.Time) error {
	r, err := s.blobs.Open(ctx, d.BlobKey)
	if err != nil {
		return err
	}
	defer r.Close()
	// Images and PDFs are compressed already.
	f, err := zw.CreateHeader(&zip.FileHeader{Name: exportFile(d), Method: zip.Store, Modified: at})
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return err
}

// exportKind is a not_run result's kind; results stored before the
// distinction count as unavailable, as the levels count them.
func exportKind(c kyc.Check) kyc.NotRunKind {
	if c.Status == kyc.CheckNotRun && c.NotRunKind == "" {
		return kyc.NotRunUnavailable
	}
	return c.NotRunKind
}
