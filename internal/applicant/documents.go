package applicant

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"
	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// ParseKind validates a document kind from the wire.
func ParseKind(field, s string) (kyc.DocumentKind, error) {
	k := kyc.DocumentKind(s)
	if !k.Valid() {
		return "", kyc.Invalid(field, "enum", "%s must be one of id_front, id_back, selfie, selfie_with_id, signature, proof_of_address, aml_report, idv_report, liveness_frame", field)
	}
	return k, nil
}

// Limits returns the upload limits.
func (s *Service) Limits() docfile.Limits { return s.limits }

// Decoder is the decoder of uploads (its budget is the process's, shared
// with every engine).
func (s *Service) Decoder() *docfile.Decoder { return s.decoder }

// UploadDocument streams r into encrypted blob storage while validating it,
// then decodes images (once, within the caps and the decode budget) or
// reads PDFs whole (docfile.CheckPDF), and records the document only if
// every check passed. A rejected upload leaves neither row nor blob. What a
// phone appended after a JPEG's end (docfile: further images, a motion
// photo's video, Samsung's trailer, padding) is not stored: the document is
// the image alone, and its Trailer records what was removed. Every surface
// uploads through here.
func (s *Service) UploadDocument(ctx context.Context, p kyc.Principal, applicantID string, kind kyc.DocumentKind, r io.Reader) (kyc.Document, error) {
	d, _, err := s.upload(ctx, p, applicantID, kind, r, false, nil)
	return d, err
}

// UploadPhoto is UploadDocument for an image that the user may retake: the
// one decode of the upload also measures its quality (size, sharpness,
// glare, exposure) and, when look is not nil, hands the pixels to look
// (the hosted page reads the MRZ there). look runs while the decode's share
// of the budget is held, before the document is recorded; it must return
// promptly and not keep the image.
func (s *Service) UploadPhoto(ctx context.Context, p kyc.Principal, applicantID string, kind kyc.DocumentKind, r io.Reader,
	look func(image.Image)) (kyc.Document, quality.Report, error) {
	return s.upload(ctx, p, applicantID, kind, r, true, look)
}

func (s *Service) upload(ctx context.Context, p kyc.Principal, applicantID string, kind kyc.DocumentKind, r io.Reader, assess bool,
	look func(image.Image)) (kyc.Document, quality.Report, error) {
	var q quality.Report
	if !kind.Valid() {
		return kyc.Document{}, q, kyc.Invalid("kind", "enum", "unknown document kind")
	}
	if !kyc.ValidID(kyc.PrefixApplicant, applicantID) {
		return kyc.Document{}, q, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	if a, _, err := s.store.ApplicantByID(ctx, p.MerchantID, applicantID); err != nil {
		return kyc.Document{}, q, err
	} else if a.Deleted() {
		return kyc.Document{}, q, ErrDeleted
	}
	d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), MerchantID: p.MerchantID, ApplicantID: applicantID, Kind: kind, KeyID: s.keys.ActiveKeyID()}
	d.BlobKey = BlobPrefix(p.MerchantID, applicantID) + d.ID

	// The upload is recorded before its bytes land: whatever happens next
	// (a refusal, a storage error, a crash), the blob is either recorded as
	// a document below or deleted, here or by ReapUploads.
	if err := s.store.InsertPendingUpload(ctx, store.PendingUpload{BlobKey: d.BlobKey, MerchantID: p.MerchantID, ApplicantID: applicantID,
		CreatedAt: s.clock()}); err != nil {
		return d, q, err
	}
	discard := func() {
		ctx := context.WithoutCancel(ctx)
		if err := s.blobs.Delete(ctx, d.BlobKey); err != nil {
			slog.ErrorContext(ctx, "document blob cleanup failed; the upload reaper retries", "document_id", d.ID, "error", err)
			return
		}
		if err := s.store.DeletePendingUpload(ctx, d.BlobKey); err != nil {
			slog.ErrorContext(ctx, "pending upload not forgotten; the upload reaper retries", "document_id", d.ID, "error", err)
		}
	}
	bw, err := s.blobs.NewWriter(ctx, d.BlobKey)
	if err != nil {
		discard()
		return d, q, err
	}
	// Only the file is stored: a trailer that a phone appended to a JPEG
	// (docfile's Validator tells it apart) is removed, and recorded.
	res, err := docfile.NewValidator(kind, s.limits).Copy(bw, bodyReader{r})
	if err != nil {
		bw.Abort()
		discard()
		return d, q, uploadErr(err)
	}
	if err := bw.Commit(); err != nil {
		discard()
		return d, q, err
	}
	d.ContentType, d.Size, d.SHA256, d.Trailer = res.ContentType, res.Size, res.SHA256, res.Trailer
	if res.ContentType == docfile.PDF {
		if err := s.decoder.CheckPDF(ctx, func() (io.ReadCloser, error) { return s.blobs.Open(ctx, d.BlobKey) }); err != nil {
			discard()
			return d, q, err
		}
	} else {
		// The one decode of the upload: within the caps and the budget.
		im, err := s.decoder.Decode(ctx, func() (io.ReadCloser, error) { return s.blobs.Open(ctx, d.BlobKey) }, 1,
			func(img image.Image, _ docfile.Image) error {
				if assess {
					q = quality.Assess(img)
				}
				if look != nil {
					look(img)
				}
				return nil
			})
		if err != nil {
			discard()
			return d, q, err
		}
		d.Width, d.Height = im.Width, im.Height
	}
	d.CreatedAt = s.clock()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		// The row lock orders this insert against a concurrent deletion,
		// whose purge then sees the document (or this upload sees the
		// deletion and leaves nothing).
		if live, err := tx.LockLiveApplicant(ctx, p.MerchantID, applicantID); err != nil {
			return err
		} else if !live {
			return ErrDeleted
		}
		if err := tx.InsertDocument(ctx, d); err != nil {
			return err
		}
		if err := tx.DeletePendingUpload(ctx, d.BlobKey); err != nil {
			return err
		}
		if err := countDocumented(ctx, tx, p.MerchantID, applicantID, "", d.CreatedAt); err != nil {
			return err
		}
		detail := map[string]any{"applicant_id": applicantID, "kind": kind, "content_type": d.ContentType, "size": d.Size, "sha256": d.SHA256}
		if d.Trailer != nil {
			detail["removed_trailer"] = d.Trailer
		}
		return tx.Audit(ctx, p, d.CreatedAt, "document.upload", "document", d.ID, detail)
	})
	if err != nil {
		discard()
		return d, q, err
	}
	return d, q, nil
}

// countDocumented marks the applicant's open verifications (or one) as
// having documents and counts those that had none (analytics: the funnel's
// "documents uploaded").
func countDocumented(ctx context.Context, tx *store.Tx, merchantID, applicantID, verificationID string, at time.Time) error {
	ds, err := tx.MarkDocumented(ctx, merchantID, applicantID, verificationID, at)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := tx.AddCounts(ctx, d.ID, []store.Count{{MerchantID: d.MerchantID, Day: store.Day(at), Level: d.Level, Surface: d.Surface,
			Country: d.Country, Metric: analytics.MetricDocuments, N: 1}}); err != nil {
			return err
		}
	}
	return nil
}

// CountDocumented is countDocumented for a verification just created in
// tx: it counts when its applicant uploaded documents before.
func CountDocumented(ctx context.Context, tx *store.Tx, merchantID, applicantID, verificationID string, at time.Time) error {
	has, err := tx.HasDocuments(ctx, merchantID, applicantID)
	if err != nil || !has {
		return err
	}
	return countDocumented(ctx, tx, merchantID, applicantID, verificationID, at)
}

// BlobPrefix is the blob key prefix of every document of an applicant:
// erasure deletes everything under it, recorded or not.
func BlobPrefix(merchantID, applicantID string) string { return merchantID + "/" + applicantID + "/" }

// UploadGrace is how old a pending upload must be before the reaper takes
// it for the leftover of a crash: longer than any upload request may last
// (the server's read and write timeouts are 5 minutes).
const UploadGrace = time.Hour

// ReapUploads deletes the blobs (and partial files) of uploads that never
// became documents — a crash between the bytes and the row — recorded
// before now-olderThan (UploadGrace when 0). Safe on several replicas at
// once and against uploads in flight, which are younger than the grace.
func (s *Service) ReapUploads(ctx context.Context, olderThan time.Duration) (int, error) {
	if olderThan <= 0 {
		olderThan = UploadGrace
	}
	n := 0
	for {
		us, err := s.store.PendingUploadsBefore(ctx, s.clock().Add(-olderThan), 500)
		if err != nil || len(us) == 0 {
			return n, err
		}
		for _, u := range us {
			if _, err := s.blobs.DeletePrefix(ctx, u.BlobKey); err != nil {
				return n, err
			}
			if err := s.store.DeletePendingUpload(ctx, u.BlobKey); err != nil {
				return n, err
			}
			n++
		}
	}
}

// bodyReader marks errors of the upload source, so that they are told apart
// from storage errors.
type bodyReader struct{ r io.Reader }

type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}

// uploadErr keeps validation errors, turns a broken or oversize request body
// into a client error and leaves storage errors as they are (a 5xx).
func uploadErr(err error) error {
	var fe *kyc.FieldError
	if errors.As(err, &fe) {
		return err
	}
	var be bodyError
	if !errors.As(err, &be) {
		return err
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return kyc.TooLarge("file", "the request is larger than the upload limit of %d bytes", mbe.Limit)
	}
	return kyc.Invalid("file", "incomplete", "the upload could not be read completely")
}

// DecodeDocument decodes a stored image document (of a merchant, as
// OpenDocument returned it) within the decode budget and hands it to use;
// copies counts the decoded-size buffers use holds at once.
func (s *Service) DecodeDocument(ctx context.Context, d kyc.Document, copies int, use func(image.Image) error) error {
	_, err := s.decoder.Decode(ctx, func() (io.ReadCloser, error) { return s.blobs.Open(ctx, d.BlobKey) }, copies,
		func(img image.Image, _ docfile.Image) error { return use(img) })
	return err
}

// OpenDocument returns the decrypted bytes of a document of the merchant.
func (s *Service) OpenDocument(ctx context.Context, p kyc.Principal, id string) (kyc.Document, io.ReadCloser, error) {
	if !kyc.ValidID(kyc.PrefixDocument, id) {
		return kyc.Document{}, nil, fmt.Errorf("document: %w", kyc.ErrNotFound)
	}
	d, err := s.store.DocumentByID(ctx, p.MerchantID, id)
	if err != nil {
		return d, nil, err
	}
	rc, err := s.blobs.Open(ctx, d.BlobKey)
	return d, rc, err
}

// ViewDocument opens a document for a person to look at (the console's case
// view: purpose names the view) and audits the viewing (document.viewed) in
// its own transaction before any byte is read.
func (s *Service) ViewDocument(ctx context.Context, p kyc.Principal, id, purpose string) (kyc.Document, io.ReadCloser, error) {
	d, rc, err := s.OpenDocument(ctx, p, id)
	if err != nil {
		return d, nil, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, p, s.clock(), "document.viewed", "document", d.ID, map[string]any{"applicant_id": d.ApplicantID, "view": purpose})
	})
	if err != nil {
		rc.Close()
		return d, nil, err
	}
	return d, rc, nil
}

// Documents lists an applicant's documents.
func (s *Service) Documents(ctx context.Context, p kyc.Principal, applicantID string) ([]kyc.Document, error) {
	return s.store.DocumentsByApplicant(ctx, p.MerchantID, applicantID)
}
