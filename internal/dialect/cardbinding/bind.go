package cardbinding

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
	"github.com/openkyc/openkyc/internal/verification"
)

// Level is the verification level of card-binding KYC.
const Level = "card_binding"

func (d *Dialect) bind(w http.ResponseWriter, r *http.Request) {
	// The body streams in once: its fields are kept, its Base64 files go to
	// encrypted spools (spool.go), and the signature is checked over both.
	files, err := spoolBody(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = fail(CodeParam, "body: unreadable or larger than 16 MB")
		}
		d.writeErr(w, r, e)
		return
	}
	defer files.Close()
	body := files.kept
	p, set, err := d.authenticate(r, body, files)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	opt, err := d.options(set)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	b, ferr := parseBind(body, opt, d.cfg.Now(), files)
	if ferr != nil {
		d.writeErr(w, r, ferr)
		return
	}
	// Every file is checked before anything is written.
	for _, f := range b.Files {
		if err := d.checkFile(r.Context(), f); err != nil {
			d.writeErr(w, r, err)
			return
		}
	}
	if _, err := d.submit(r.Context(), p, b); err != nil {
		d.writeErr(w, r, err)
		return
	}
	d.ok(w, nil) // the seed's answer: {"code": "00000", "msg": "ok"}, nothing more
}

// checkFile requires a JPEG or PNG (or, for poa_doc, a PDF) that is whole,
// free of trailing data and active content, and whose header is within the
// pixel and decoded-size caps. The one full decode happens when the file is
// stored (UploadDocument), within the process's decode budget.
func (d *Dialect) checkFile(ctx context.Context, f *image) error {
	lim := d.cfg.Applicants.Limits()
	lim.MaxBytes = int64(f.max)
	v := docfile.NewValidator(f.kind, lim)
	r, err := f.open()
	if err != nil {
		return err
	}
	if _, err := io.Copy(v, r); err != nil {
		var fe *kyc.FieldError
		if errors.As(err, &fe) {
			return fail(CodeParam, f.field+": "+fe.Msg)
		}
		return err
	}
	res, err := v.Close()
	if err != nil {
		var fe *kyc.FieldError
		if errors.As(err, &fe) {
			return fail(CodeParam, f.field+": "+fe.Msg)
		}
		return err
	}
	allowed := "jpg, jpeg or png"
	if f.kind == kyc.DocProofOfAddress {
		allowed = "jpg, jpeg, png or pdf"
	}
	open := func() (io.ReadCloser, error) {
		r, err := f.open()
		return io.NopCloser(r), err
	}
	switch res.ContentType {
	case docfile.JPEG, docfile.PNG:
		_, err = d.cfg.Applicants.Decoder().Inspect(open)
	case docfile.PDF:
		if f.kind != kyc.DocProofOfAddress {
			return fail(CodeParam, f.field+": must be "+allowed)
		}
		err = d.cfg.Applicants.Decoder().CheckPDF(ctx, open)
	default:
		return fail(CodeParam, f.field+": must be "+allowed)
	}
	if err != nil {
		var fe *kyc.FieldError
		if errors.As(err, &fe) {
			return fail(CodeParam, f.field+": "+fe.Msg)
		}
		return err
	}
	return ctx.Err()
}

// submit stores the applicant, the files and the verification, and submits
// it. A new mc_trade_no starts a verification; a known one is refused with
// A0005 unless its verification was rejected with retry allowed, in which
// case the request is the resubmission.
func (d *Dialect) submit(ctx context.Context, p kyc.Principal, b Bind) (kyc.Verification, error) {
	in, phoneValid := applicantInput(b)
	v, err := d.core.ByReference(ctx, p, Surface, b.TradeNo)
	switch {
	case err == nil:
		if !(v.State == kyc.StateCompleted && v.Decision == kyc.DecisionRejected && v.RejectType == kyc.RejectRetry) {
			return v, fail(CodeDuplicate, "mc_trade_no: KYC for this transaction was already submitted")
		}
		if _, err := d.cfg.Applicants.Update(ctx, p, v.ApplicantID, patchOf(in.PII)); err != nil {
			return v, err
		}
		if err := d.store(ctx, p, v.ApplicantID, b.Files); err != nil {
			return v, err
		}
		return d.core.Submit(ctx, p, v.ID)
	case !kyc.IsNotFound(err):
		return v, err
	}
	a, err := d.cfg.Applicants.Find(ctx, p, Surface, in.ExternalUserID)
	switch {
	case kyc.IsNotFound(err):
		a, _, err = d.cfg.Applicants.Create(ctx, p, Surface, in)
	case err == nil:
		a, err = d.cfg.Applicants.Update(ctx, p, a.ID, patchOf(in.PII)) // the latest data wins
	}
	if err != nil {
		return v, err
	}
	if err := d.store(ctx, p, a.ID, b.Files); err != nil {
		return v, err
	}
	var notes map[string]string
	if !phoneValid {
		notes = map[string]string{"phone_valid": "false"}
	}
	if v, err = d.core.Create(ctx, p, Surface, verification.CreateInput{ApplicantID: a.ID, Reference: b.TradeNo, Level: Level, Notes: notes}); err != nil {
		if kyc.IsConflict(err) { // the same mc_trade_no, concurrently
			return v, fail(CodeDuplicate, "mc_trade_no: KYC for this transaction was already submitted")
		}
		return v, err
	}
	return d.core.Submit(ctx, p, v.ID)
}

func (d *Dialect) store(ctx context.Context, p kyc.Principal, applicantID string, files []*image) error {
	for _, f := range files {
		r, err := f.open()
		if err != nil {
			return err
		}
		if _, err := d.cfg.Applicants.UploadDocument(ctx, p, applicantID, f.kind, r); err != nil {
			var fe *kyc.FieldError
			if errors.As(err, &fe) {
				return fail(CodeParam, f.field+": "+fe.Msg)
			}
			return err
		}
	}
	return nil
}

// applicantInput maps the request onto the core's applicant. [openkyc] The
// applicant is the user's e-mail address (lower case); gender, emergency
// contact, user IP and poa_type are validated but not stored. The seed
// asks of mobile and mobile_code only their lengths (and openkyc digits);
// a number that is not a valid phone number for its country code (the
// seed's own example, 86 1888888888) is accepted but not stored as the
// applicant's phone, so it never matches another applicant's, and valid
// says so.
func applicantInput(b Bind) (in applicant.Input, valid bool) {
	phone := "+" + b.MobileCode + b.Mobile
	if _, err := pii.Phone(phone, ""); err != nil {
		phone = ""
	}
	return applicant.Input{ExternalUserID: strings.ToLower(b.Email), PII: kyc.PII{
		FirstName: b.FirstName, LastName: b.LastName, DateOfBirth: b.Birthday, Nationality: b.Nationality, Email: b.Email,
		Phone: phone, DocumentNumber: b.DocNo, DocumentType: map[int]string{1: "passport", 2: "id_card"}[b.DocType],
		Address: &kyc.Address{Line1: b.Address, City: b.City, State: b.State, PostalCode: b.ZipCode, Country: b.Country},
	}}, phone != ""
}

func patchOf(p kyc.PII) applicant.Patch {
	s := func(v string) *string { return &v }
	return applicant.Patch{FirstName: s(p.FirstName), LastName: s(p.LastName), Nationality: s(p.Nationality), Email: s(p.Email),
		Phone: s(p.Phone), DocumentNumber: s(p.DocumentNumber), DateOfBirth: s(p.DateOfBirth), DocumentType: s(p.DocumentType),
		Address: p.Address}
}

func (d *Dialect) query(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	p, _, err := d.authenticate(r, body, nil)
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	o, ferr := newObject("", body)
	if ferr != nil {
		d.writeErr(w, r, fail(CodeParam, "body: must be a JSON object"))
		return
	}
	tradeNo := o.id("mc_trade_no", true, 64)
	if o.unknown(); o.err != nil {
		d.writeErr(w, r, o.err)
		return
	}
	v, err := d.core.ByReference(r.Context(), p, Surface, tradeNo)
	if kyc.IsNotFound(err) {
		d.writeErr(w, r, fail(CodeClient, "mc_trade_no: no KYC with this transaction number"))
		return
	}
	if err != nil {
		d.writeErr(w, r, err)
		return
	}
	d.ok(w, data(v))
}

// Data is the answer about one binding.
type Data struct {
	TradeNo string `json:"mc_trade_no"`
	Status  int    `json:"status"`
	Reason  string `json:"reason,omitempty"`
}

func data(v kyc.Verification) Data {
	st, reason := Status(v)
	return Data{TradeNo: v.Reference, Status: st, Reason: reason}
}
