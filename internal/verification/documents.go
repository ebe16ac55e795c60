package verification

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

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

// UploadDocument streams r into encrypted blob storage while validating it,
// then decodes images under the pixel cap or reads PDFs whole
// (docfile.CheckPDF), and records the document only if every check passed. A rejected upload leaves neither row nor blob.
func (s *Service) UploadDocument(ctx context.Context, p kyc.Principal, applicantID string, kind kyc.DocumentKind, r io.Reader) (kyc.Document, error) {
	if !kind.Valid() {
		return kyc.Document{}, kyc.Invalid("kind", "enum", "unknown document kind")
	}
	if !kyc.ValidID(kyc.PrefixApplicant, applicantID) {
		return kyc.Document{}, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	if a, _, err := s.store.ApplicantByID(ctx, p.MerchantID, applicantID); err != nil {
		return kyc.Document{}, err
	} else if a.Deleted() {
		return kyc.Document{}, errDeleted
	}
	d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), MerchantID: p.MerchantID, ApplicantID: applicantID, Kind: kind, KeyID: s.keys.ActiveKeyID()}
	d.BlobKey = p.MerchantID + "/" + applicantID + "/" + d.ID

	bw, err := s.blobs.NewWriter(ctx, d.BlobKey)
	if err != nil {
		return d, err
	}
	v := docfile.NewValidator(kind, s.limits)
	if err := copyValidated(v, bw, bodyReader{r}); err != nil {
		bw.Abort()
		return d, uploadErr(err)
	}
	res, err := v.Close()
	if err != nil {
		bw.Abort()
		return d, err
	}
	if err := bw.Commit(); err != nil {
		return d, err
	}
	cleanup := func() {
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), d.BlobKey); derr != nil {
			slog.ErrorContext(ctx, "document blob cleanup failed", "document_id", d.ID, "error", derr)
		}
	}
	d.ContentType, d.Size, d.SHA256 = res.ContentType, res.Size, res.SHA256
	open := func() (io.ReadCloser, error) { return s.blobs.Open(ctx, d.BlobKey) }
	if res.ContentType == docfile.PDF {
		err = s.decoder.CheckPDF(open)
	} else {
		d.Width, d.Height, err = s.decoder.Decode(open)
	}
	if err != nil {
		cleanup()
		return d, err
	}
	d.CreatedAt = s.clock()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		// The row lock orders this insert against a concurrent deletion,
		// whose purge then sees the document (or this upload sees the
		// deletion and leaves nothing).
		if live, err := tx.LockLiveApplicant(ctx, p.MerchantID, applicantID); err != nil {
			return err
		} else if !live {
			return errDeleted
		}
		if err := tx.InsertDocument(ctx, d); err != nil {
			return err
		}
		return record(ctx, tx, p, d.CreatedAt, "document.upload", "document", d.ID, map[string]any{
			"applicant_id": applicantID, "kind": kind, "content_type": d.ContentType, "size": d.Size, "sha256": d.SHA256})
	})
	if err != nil {
		cleanup()
		return d, err
	}
	return d, nil
}

// uploadChunk is how much of an upload is handled at a time.
const uploadChunk = 256 << 10

// copyValidated streams r to the validator and to storage in chunks, hashing
// and validating each chunk on another core while it is encrypted and
// written. A validation error stops the copy at the end of that chunk; the
// caller discards what was stored.
func copyValidated(v, store io.Writer, r io.Reader) error {
	buf := make([]byte, uploadChunk)
	verr := make(chan error, 1)
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			chunk := buf[:n]
			go func() { _, err := v.Write(chunk); verr <- err }()
			_, serr := store.Write(chunk)
			if err := <-verr; err != nil {
				return err
			}
			if serr != nil {
				return serr
			}
		}
		switch {
		case rerr == io.EOF || rerr == io.ErrUnexpectedEOF:
			return nil
		case rerr != nil:
			return rerr
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

// Documents lists an applicant's documents.
func (s *Service) Documents(ctx context.Context, p kyc.Principal, applicantID string) ([]kyc.Document, error) {
	return s.store.DocumentsByApplicant(ctx, p.MerchantID, applicantID)
}
