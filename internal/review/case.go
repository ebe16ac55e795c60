package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/check/basic"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/store"
)

// Case is everything the case view shows. Building it decrypts the
// applicant's data and is audited ("applicant.viewed").
type Case struct {
	Verification kyc.Verification
	Merchant     kyc.Merchant
	Applicant    kyc.Applicant
	Documents    []kyc.Document
	Checks       []kyc.Check
	Face         *FaceEvidence
	MRZ          *mrz.Reading
	Barcode      *BarcodeView
	VIZ          *VIZView
	// Data sets each source's reading beside the declared data (rows:
	// fields; columns: declared, then each source read), disagreements
	// marked.
	Data        *DataTable
	Hits        []HitView
	Consistency []ConsistencyRow
	Tamper      []TamperView
	Duplicates  []Duplicate
	Decisions   []DecisionView
	Attempts    []kyc.Verification // the applicant's verifications, newest first
	Audit       []kyc.AuditEntry
	Claim       *store.Claim
	ClaimEmail  string
	Proposal    *ProposalView
	Settings    store.ReviewSettings
	Age         time.Duration // since the case entered its state
	Overdue     bool          // in review beyond the merchant's SLA
	// Unreadable names the checks whose evidence could not be read (a
	// malformed row, a seal that does not open): shown without it.
	Unreadable []kyc.CheckKind
}

// FaceEvidence is face.match's pair of aligned crops with the score.
type FaceEvidence struct {
	Status         kyc.CheckStatus
	Score          float64
	DocumentCrop   []byte // JPEG
	SelfieCrop     []byte // JPEG
	PassiveLive    float64
	HasPassiveLive bool
}

// VIZView is document.viz: each field read from the front's printed zone
// with its confidence, and how it compares with the other zones.
type VIZView struct {
	Status   kyc.CheckStatus
	Evidence viz.Evidence
	Fields   map[string]viz.Field
}

// Rows are the fields read, in the order shown.
func (v *VIZView) Rows() []VIZRow {
	var out []VIZRow
	for _, k := range []string{viz.FieldSurname, viz.FieldGivenNames, viz.FieldFullName, viz.FieldBirthDate, viz.FieldDocumentNumber, viz.FieldExpiryDate,
		viz.FieldIssueDate, viz.FieldSex, viz.FieldNationality, viz.FieldAddress} {
		if f, ok := v.Fields[k]; ok {
			out = append(out, VIZRow{Name: k, Field: f, Used: f.Confidence >= viz.Confident})
		}
	}
	return out
}

// VIZRow is one field read from the printed zone.
type VIZRow struct {
	Name  string
	Field viz.Field
	Used  bool // at or above the confidence the pipeline uses
}

// BarcodeView is document.barcode: the codes found, the AAMVA record
// read from one and what kept it from passing.
type BarcodeView struct {
	Status   kyc.CheckStatus
	Evidence barcode.Evidence
	Codes    []barcode.Code
	License  *barcode.License
	National *barcode.NationalID
}

// DataTable is the declared data beside each source's reading.
type DataTable struct {
	Columns []string // "declared", "mrz", "barcode"
	Rows    []DataRow
}

// DataRow is one field across the columns.
type DataRow struct {
	Field string
	Cells []DataCell
}

// DataCell is one value; Bad marks a value data.consistency found to
// differ (from the declared value, or between two sources).
type DataCell struct {
	Value string
	Bad   bool
}

// ConsistencyRow is one field of data.consistency: declared data against
// the MRZ.
type ConsistencyRow struct {
	Field string
	Match bool
	Score float64
}

// TamperView is document.tamper_hints for one photo: the hints, the error
// level statistics, and the document whose heat map the console can draw.
type TamperView struct {
	Kind       string
	DocumentID string
	Hints      []document.Hint
	ELA        map[string]float64
}

// HitView is one screening hit with its explanation and the list entry.
type HitView struct {
	screening.EvidenceHit
	Explanation *screening.Explanation
	Entry       *screening.Entry // nil when the loaded lists no longer hold it
	BirthDates  []string
	Dismissed   bool
}

// Duplicate is another applicant sharing an identifier or a face.
type Duplicate struct {
	ApplicantID    string
	Field          string // document_number, email, phone, face
	VerificationID string // their latest verification ("" none)
	Score          float64
}

// DecisionView is a past decision with its note opened.
type DecisionView struct {
	store.DecisionRecord
	Note string
}

// ProposalView is a decision waiting for a second reviewer.
type ProposalView struct {
	store.Proposal
	Note          string
	ProposedEmail string
}

// Case builds the case view of a verification and audits the view.
func (s *Service) Case(ctx context.Context, a staff.Account, id string) (*Case, error) {
	v, err := s.find(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p := principal(a, v.MerchantID)
	c := &Case{Verification: v}
	if c.Merchant, err = s.store.MerchantByID(ctx, v.MerchantID); err != nil {
		return nil, err
	}
	if c.Applicant, err = s.applicants.Get(ctx, p, v.ApplicantID); err != nil {
		return nil, err
	}
	// The view is audited before anything decrypted is shown.
	now := s.clock()
	if err := s.store.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, p, now, "applicant.viewed", "applicant", v.ApplicantID, map[string]any{"verification_id": v.ID})
	}); err != nil {
		return nil, err
	}
	if c.Documents, err = s.applicants.Documents(ctx, p, v.ApplicantID); err != nil {
		return nil, err
	}
	if c.Checks, err = s.store.ChecksByVerification(ctx, v.MerchantID, v.ID); err != nil {
		return nil, err
	}
	latest := latestChecks(c.Checks)
	if err := s.evidence(ctx, c, latest); err != nil {
		return nil, err
	}
	decs, err := s.store.Decisions(ctx, v.MerchantID, v.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range decs {
		dv := DecisionView{DecisionRecord: d}
		if len(d.SealedNote) > 0 {
			if b, err := s.keys.Open(d.SealedNote, []byte("decision-note:"+v.ID)); err == nil {
				dv.Note = string(b)
			}
		}
		c.Decisions = append(c.Decisions, dv)
	}
	if c.Attempts, err = s.store.VerificationsOfApplicant(ctx, v.MerchantID, v.ApplicantID, 20); err != nil {
		return nil, err
	}
	subjects := []string{v.ID, v.ApplicantID}
	for _, d := range c.Documents {
		subjects = append(subjects, d.ID)
	}
	if c.Audit, err = s.store.AuditBySubject(ctx, v.MerchantID, subjects, 200); err != nil {
		return nil, err
	}
	if cl, err := s.store.ClaimOf(ctx, v.ID); err == nil {
		c.Claim = &cl
		if st, err := s.store.StaffByID(ctx, cl.StaffID); err == nil {
			c.ClaimEmail = st.Email
		}
	} else if !kyc.IsNotFound(err) {
		return nil, err
	}
	if pr, err := s.store.ProposalOf(ctx, v.MerchantID, v.ID); err == nil {
		pv := &ProposalView{Proposal: pr}
		if b, err := s.keys.Open(pr.SealedNote, []byte("proposal-note:"+v.ID)); err == nil {
			pv.Note = string(b)
		}
		if st, err := s.store.StaffByID(ctx, pr.ProposedBy); err == nil {
			pv.ProposedEmail = st.Email
		}
		c.Proposal = pv
	} else if !kyc.IsNotFound(err) {
		return nil, err
	}
	if c.Settings, err = s.store.ReviewSettingsOf(ctx, v.MerchantID); err != nil {
		return nil, err
	}
	c.Age = now.Sub(v.UpdatedAt)
	c.Overdue = v.State == kyc.StateReview && c.Age > time.Duration(c.Settings.SLAHours)*time.Hour
	return c, nil
}

// latestChecks keeps the newest result of each kind (checks are re-runnable).
func latestChecks(cs []kyc.Check) map[kyc.CheckKind]kyc.Check {
	out := map[kyc.CheckKind]kyc.Check{}
	for _, c := range cs {
		if prev, ok := out[c.Kind]; !ok || c.ID > prev.ID {
			out[c.Kind] = c
		}
	}
	return out
}

// evidence opens the sealed parts of the newest checks' evidence. A check
// whose evidence cannot be read (a malformed row, a seal that does not
// open) is named in c.Unreadable and shown without it.
func (s *Service) evidence(ctx context.Context, c *Case, latest map[kyc.CheckKind]kyc.Check) error {
	c.readEvidence(latest, func(sealed string) ([]byte, error) { return s.ver.OpenEvidence(sealed, c.Verification.ID) })
	if sc, ok := latest[kyc.KindSanctions]; ok {
		ev, err := check.DecodeEvidence[screening.Evidence](sc)
		if err != nil {
			c.unreadable(sc.Kind, err)
		} else if c.Hits, err = s.hits(ctx, c, ev); err != nil {
			return err
		}
	}
	for i, d := range c.Duplicates {
		if v, err := s.store.LatestVerificationOfApplicant(ctx, c.Verification.MerchantID, d.ApplicantID); err == nil {
			c.Duplicates[i].VerificationID = v.ID
		}
	}
	return nil
}

// readEvidence fills the case's evidence views from the newest checks
// (open: the verification's sealed evidence).
func (c *Case) readEvidence(latest map[kyc.CheckKind]kyc.Check, open func(sealed string) ([]byte, error)) {
	if fm, ok := latest[kyc.KindFaceMatch]; ok {
		ev, err := check.DecodeEvidence[face.MatchEvidence](fm)
		if err != nil {
			c.unreadable(fm.Kind, err)
		} else if ev.Score != nil {
			f := &FaceEvidence{Status: fm.Status, Score: *ev.Score}
			var derr, serr error
			f.DocumentCrop, derr = open(ev.DocumentCrop)
			f.SelfieCrop, serr = open(ev.SelfieCrop)
			if err := errors.Join(derr, serr); err != nil {
				c.unreadable(fm.Kind, fmt.Errorf("check %s: face crops: %w", fm.ID, err))
			}
			if ev.PassiveLiveness != nil {
				f.PassiveLive, f.HasPassiveLive = *ev.PassiveLiveness, true
			}
			c.Face = f
		}
	}
	if m, ok := latest[kyc.KindMRZ]; ok {
		ev, err := check.DecodeEvidence[mrz.Evidence](m)
		if err == nil && ev.ReadingSealed != "" {
			var b []byte
			if b, err = open(ev.ReadingSealed); err == nil {
				var rd mrz.Reading
				if err = json.Unmarshal(b, &rd); err == nil {
					c.MRZ = &rd
				}
			}
		}
		if err != nil {
			c.unreadable(m.Kind, err)
		}
	}
	if bc, ok := latest[kyc.KindBarcode]; ok {
		ev, err := check.DecodeEvidence[barcode.Evidence](bc)
		if err == nil && ev.Sealed != "" {
			var b []byte
			if b, err = open(ev.Sealed); err == nil {
				var sealed barcode.Sealed
				if err = json.Unmarshal(b, &sealed); err == nil {
					c.Barcode = &BarcodeView{Status: bc.Status, Evidence: ev, Codes: sealed.Codes, License: sealed.License, National: sealed.National}
				}
			}
		}
		if err != nil {
			c.unreadable(bc.Kind, err)
		}
	}
	if vc, ok := latest[kyc.KindVIZ]; ok {
		ev, err := check.DecodeEvidence[viz.Evidence](vc)
		if err == nil && ev.Sealed != "" {
			var b []byte
			if b, err = open(ev.Sealed); err == nil {
				var sealed struct {
					VIZ map[string]viz.Field `json:"viz"`
				}
				if err = json.Unmarshal(b, &sealed); err == nil {
					c.VIZ = &VIZView{Status: vc.Status, Evidence: ev, Fields: sealed.VIZ}
				}
			}
		}
		if err != nil {
			c.unreadable(vc.Kind, err)
		}
	}
	var consistency docdata.ConsistencyEvidence
	if dc, ok := latest[kyc.KindConsistency]; ok {
		ev, err := check.DecodeEvidence[docdata.ConsistencyEvidence](dc)
		if err != nil {
			c.unreadable(dc.Kind, err)
		}
		for _, f := range slices.Sorted(maps.Keys(ev.Fields)) {
			c.Consistency = append(c.Consistency, ConsistencyRow{Field: f, Match: ev.Fields[f].Match, Score: ev.Fields[f].Score})
		}
		consistency = ev
	}
	c.Data = c.dataTable(consistency)
	if th, ok := latest[kyc.KindTamperHints]; ok {
		ev, err := check.DecodeEvidence[document.TamperEvidence](th)
		if err != nil {
			c.unreadable(th.Kind, err)
		}
		for _, kind := range slices.Sorted(maps.Keys(ev.Documents)) {
			tv := TamperView{Kind: kind, Hints: ev.Documents[kind].Hints, ELA: ev.Documents[kind].ELA}
			var newest kyc.Document // the newest photo of the kind, as the check chose
			for _, d := range c.Documents {
				if string(d.Kind) == kind && d.ContentType != "application/pdf" && d.ID > newest.ID && !d.CreatedAt.After(th.CreatedAt) {
					newest = d
				}
			}
			if newest.ContentType == "image/jpeg" {
				tv.DocumentID = newest.ID
			}
			c.Tamper = append(c.Tamper, tv)
		}
	}
	if ck, ok := latest[kyc.KindDuplicateIdentity]; ok {
		ev, err := check.DecodeEvidence[basic.DuplicateEvidence](ck)
		if err != nil {
			c.unreadable(ck.Kind, err)
		}
		for _, m := range ev.Matches {
			c.Duplicates = append(c.Duplicates, Duplicate{ApplicantID: m.ApplicantID, Field: m.Field})
		}
	}
	if ck, ok := latest[kyc.KindFaceDuplicate]; ok {
		ev, err := check.DecodeEvidence[face.DuplicateEvidence](ck)
		if err != nil {
			c.unreadable(ck.Kind, err)
		}
		if ev.ApplicantID != "" {
			var score float64
			if ev.BestScore != nil {
				score = *ev.BestScore
			}
			c.Duplicates = append(c.Duplicates, Duplicate{ApplicantID: ev.ApplicantID, Field: "face", Score: score})
		}
	}
}

// unreadable records a check whose evidence the case view could not read:
// the page names the kind; the log, for the operator, the check and the
// error (a decoding error names types and offsets, not values).
func (c *Case) unreadable(kind kyc.CheckKind, err error) {
	slog.Warn("case view: check evidence unreadable", "verification_id", c.Verification.ID, "check_kind", kind, "error", err)
	if !slices.Contains(c.Unreadable, kind) {
		c.Unreadable = append(c.Unreadable, kind)
	}
}

func (s *Service) hits(ctx context.Context, c *Case, ev screening.Evidence) ([]HitView, error) {
	explained := map[string]screening.Explanation{}
	if ev.Explanations != "" {
		b, err := s.ver.OpenEvidence(ev.Explanations, c.Verification.ID)
		var hs []screening.Hit
		if err == nil {
			err = json.Unmarshal(b, &hs)
		}
		if err != nil {
			c.unreadable(kyc.KindSanctions, err)
		}
		for _, h := range hs {
			explained[h.List+"\x00"+h.EntryID] = h.Explanation
		}
	}
	dismissed, err := s.store.Dismissals(ctx, c.Verification.MerchantID, c.Verification.ApplicantID)
	if err != nil {
		return nil, err
	}
	out := make([]HitView, 0, len(ev.Hits))
	for _, h := range ev.Hits {
		hv := HitView{EvidenceHit: h}
		if x, ok := explained[h.List+"\x00"+h.EntryID]; ok {
			hv.Explanation = &x
		}
		if s.screener != nil {
			if e, ok := s.screener.Entry(h.List, h.EntryID); ok {
				hv.Entry = e
				for _, d := range e.BirthDates {
					hv.BirthDates = append(hv.BirthDates, d.String())
				}
			}
		}
		hv.Dismissed = true // a grouped hit is dismissed when every entry of it is
		for _, x := range h.Entries() {
			hash, ok := dismissed[x.List+"\x00"+x.EntryID]
			hv.Dismissed = hv.Dismissed && ok && hash == x.EntryHash
		}
		out = append(out, hv)
	}
	slices.SortStableFunc(out, func(a, b HitView) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return out, nil
}

// dataTable sets the declared data beside the MRZ's and the barcode's
// readings, marking what data.consistency found to differ; nil when
// nothing was read from the document.
func (c *Case) dataTable(ev docdata.ConsistencyEvidence) *DataTable {
	type source struct {
		name   string
		values map[string]string
	}
	var sources []source
	if c.MRZ != nil {
		d := c.MRZ.Document
		sources = append(sources, source{"mrz", map[string]string{"surname": d.Surname, "given_names": d.GivenNames,
			"date_of_birth": d.BirthDate.String(), "document_number": d.DocumentNumber, "date_of_expiry": d.ExpiryDate.String(),
			"nationality": d.Nationality}})
	}
	if c.Barcode != nil && c.Barcode.License != nil {
		l := c.Barcode.License
		sources = append(sources, source{"barcode", map[string]string{"surname": l.Surname, "given_names": l.GivenNames,
			"date_of_birth": l.DateOfBirth, "document_number": l.DocumentNumber, "date_of_expiry": l.DateOfExpiry, "date_of_issue": l.DateOfIssue,
			"address": l.Address()}})
	}
	if c.Barcode != nil && c.Barcode.National != nil {
		n := c.Barcode.National // one full name: shown whole
		sources = append(sources, source{"barcode", map[string]string{"surname": n.FullName, "date_of_birth": n.DateOfBirth,
			"document_number": n.DocumentNumber, "date_of_issue": n.DateOfIssue, "address": n.Address}})
	}
	if c.VIZ != nil && len(c.VIZ.Fields) > 0 {
		// what the printed zone read at the confidence the pipeline uses
		values := map[string]string{}
		for k, f := range c.VIZ.Fields {
			if f.Confidence >= viz.Confident {
				values[k] = f.Value
			}
		}
		if fn, ok := values[viz.FieldFullName]; ok && values["surname"] == "" {
			values["surname"] = fn // one full name: shown whole
		}
		sources = append(sources, source{"viz", values})
	}
	if len(sources) == 0 {
		return nil
	}
	p := c.Applicant.PII
	declared := map[string]string{"surname": p.LastName, "given_names": p.FirstName, "date_of_birth": p.DateOfBirth,
		"document_number": p.DocumentNumber, "date_of_expiry": p.DocumentExpiry, "nationality": p.Nationality}
	if a := p.Address; a != nil {
		declared["address"] = barcode.JoinAddress(a.Line1, a.City, a.State, a.PostalCode)
	}
	// the comparison's field of each row (names are compared whole)
	compared := map[string]string{"surname": "name", "given_names": "name", "date_of_birth": "date_of_birth",
		"document_number": "document_number", "nationality": "nationality", "date_of_expiry": "date_of_expiry"}
	mismatch := func(src, field string) bool {
		if m, ok := ev.BySource[src][field]; ok {
			return !m.Match
		}
		if len(ev.BySource) == 0 && len(ev.Sources) == 1 && ev.Sources[0] == src {
			if m, ok := ev.Fields[field]; ok {
				return !m.Match
			}
		}
		return false
	}
	disagree := func(src, field string) bool {
		for _, d := range ev.Disagreements {
			if d.Field == field && (d.Sources[0] == src || d.Sources[1] == src) {
				return true
			}
		}
		return false
	}
	t := &DataTable{Columns: []string{"declared"}}
	for _, s := range sources {
		t.Columns = append(t.Columns, s.name)
	}
	for _, f := range []string{"surname", "given_names", "date_of_birth", "document_number", "date_of_expiry", "date_of_issue", "nationality", "address"} {
		row := DataRow{Field: f, Cells: []DataCell{{Value: declared[f]}}}
		any := declared[f] != ""
		for _, s := range sources {
			v := s.values[f]
			any = any || v != ""
			bad := v != "" && (mismatch(s.name, compared[f]) || disagree(s.name, compared[f]))
			row.Cells = append(row.Cells, DataCell{Value: v, Bad: bad})
			if bad && mismatch(s.name, compared[f]) {
				row.Cells[0].Bad = true
			}
		}
		if any {
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}
