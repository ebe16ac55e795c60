package paycools

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/check/basic"
	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/kyc"
	"golang.org/x/text/language"
)

// ImageTTL is how long an image URL of a Check Result or Notification works.
const ImageTTL = 15 * time.Minute

// Result is the result object of Check Result and the Notification, with
// every field of the seed's example present ("" when openkyc has nothing to
// say: an engine that did not run, a value no engine reads yet) except
// estimatedAge, which needs an age model openkyc does not have. Which checks
// did not run, and why, the native API and the console show.
type Result struct {
	MchOrderID   string    `json:"mchOrderId"`
	BusinessID   string    `json:"businessId"`
	MerchantNo   string    `json:"merchantNo"`
	ResultStatus string    `json:"resultStatus"` // Processing | Completed
	EkycResult   string    `json:"ekycResult"`   // Success | Pending | Failure
	CreateTime   string    `json:"createTime"`
	ReturnTime   string    `json:"returnTime"`
	BasicInfo    BasicInfo `json:"extBasicInfo"`
	FaceInfo     FaceInfo  `json:"extFaceInfo"`
	IDInfo       IDInfo    `json:"extIdInfo"`
	RiskInfo     RiskInfo  `json:"extRiskInfo"`
}

// BasicInfo is extBasicInfo.
type BasicInfo struct {
	CertType    string `json:"certType"`
	DocCategory string `json:"docCategory"`
	CertNo      string `json:"certNo"`
	CertName    string `json:"certName"`
	CertCountry string `json:"certCountry"`
}

// FaceInfo is extFaceInfo.
type FaceInfo struct {
	EkycResultFace     string `json:"ekycResultFace"`
	MatchResult        string `json:"matchResult"`
	FaceScore          string `json:"faceScore"`
	FaceImg            string `json:"faceImg"`
	ExtraImages        string `json:"extraImages"`
	FaceQuality        string `json:"faceQuality"`
	FaceLivenessResult string `json:"faceLivenessResult"`
	EstimatedAge       int    `json:"estimatedAge,omitempty"` // no age model: always left out
}

// IDInfo is extIdInfo.
type IDInfo struct {
	EkycResultDoc       string      `json:"ekycResultDoc"`
	FrontPageImg        string      `json:"frontPageImg"`
	BackPageImg         string      `json:"backPageImg"`
	CountryCode         string      `json:"countryCode"`
	OCRResult           OCRResult   `json:"ocrResult"`
	SpoofResult         SpoofResult `json:"spoofResult"`
	DocErrorDetails     string      `json:"docErrorDetails"`
	DocErrorDescription string      `json:"docErrorDescription"`
}

// OCRResult is what the MRZ/OCR engine read (empty until it runs).
type OCRResult struct {
	IDNumber      string `json:"idNumber"`
	LaserNumber   string `json:"laserNumber"`
	LastName      string `json:"lastName"`
	FirstName     string `json:"firstName"`
	FirstNameFull string `json:"firstNameFull"`
	Address       string `json:"address"`
	DateOfBirth   string `json:"dateOfBirth"`
	DateOfExpiry  string `json:"dateOfExpiry"`
	DateOfIssue   string `json:"dateOfIssue"`
	CountryCode   string `json:"countryCode"`
	Sex           string `json:"sex"`
	IssuingState  string `json:"issuingState"`
}

// SpoofResult values: "1" passed, "2" risk found, "0" not checked.
type SpoofResult struct {
	TamperCheck          string `json:"tamperCheck"`
	MaterialCheck        string `json:"materialCheck"`
	ScreenRecaptureCheck string `json:"screenRecaptureCheck"`
}

// RiskInfo is extRiskInfo.
type RiskInfo struct {
	EkycResultRisk     string           `json:"ekycResultRisk"`
	StrategyPassResult string           `json:"strategyPassResult"`
	AdvancedIdnDetail  AdvancedIdn      `json:"advancedIdnDetail"`
	BlackListDetails   []BlackListEntry `json:"blackListDetails"`
}

// AdvancedIdn holds the risk details.
type AdvancedIdn struct {
	RiskDetails []RiskDetail `json:"riskDetails"`
}

// RiskDetail is one risk: DUPLICATE, IDFAKE, BLACKLIST, SANCTIONS or PEP.
type RiskDetail struct {
	Type    string `json:"type"`
	SubType string `json:"subType"`
}

// BlackListEntry is one blocklist hit.
type BlackListEntry struct {
	ListID       string `json:"listId"`
	ItemID       string `json:"itemId"`
	ItemType     string `json:"itemType"`
	SimilarScore int    `json:"similarScore"`
}

// hasPrefix says a check kind starts with one of the prefixes (a family
// such as "face." or a whole kind).
func hasPrefix(kind kyc.CheckKind, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(string(kind), p) {
			return true
		}
	}
	return false
}

// riskInfo is the risk part of a result: duplicates, blocklists and
// screening, read from the checks' typed evidence. A stored evidence that
// does not have its check's shape is an error, not a guess.
func riskInfo(checks []kyc.Check, applicantID string) (RiskInfo, error) {
	isRisk := func(k kyc.CheckKind) bool {
		return hasPrefix(k, "duplicate.", string(kyc.KindBlocklist), "screening.", string(kyc.KindAge))
	}
	ri := RiskInfo{EkycResultRisk: aggregate(checks, isRisk), AdvancedIdnDetail: AdvancedIdn{RiskDetails: []RiskDetail{}}, BlackListDetails: []BlackListEntry{}}
	for _, c := range checks {
		if c.Status != kyc.CheckFailed {
			continue
		}
		switch {
		case c.Kind == kyc.KindDuplicateIdentity:
			ev, err := check.DecodeEvidence[basic.DuplicateEvidence](c)
			if err != nil {
				return ri, err
			}
			fields := map[string]bool{}
			for _, m := range ev.Matches {
				fields[strings.ToUpper(m.Field)] = true
			}
			for _, f := range slices.Sorted(maps.Keys(fields)) {
				ri.AdvancedIdnDetail.RiskDetails = append(ri.AdvancedIdnDetail.RiskDetails, RiskDetail{Type: "DUPLICATE", SubType: f})
			}
		case c.Kind == kyc.KindBlocklist:
			ev, err := check.DecodeEvidence[basic.BlocklistEvidence](c)
			if err != nil {
				return ri, err
			}
			for _, kind := range ev.Matched {
				ri.AdvancedIdnDetail.RiskDetails = append(ri.AdvancedIdnDetail.RiskDetails, RiskDetail{Type: "BLACKLIST", SubType: strings.ToUpper(kind)})
				ri.BlackListDetails = append(ri.BlackListDetails, BlackListEntry{ListID: kind, ItemID: applicantID, ItemType: kind, SimilarScore: 100})
			}
		case hasPrefix(c.Kind, "screening."):
			ri.AdvancedIdnDetail.RiskDetails = append(ri.AdvancedIdnDetail.RiskDetails, RiskDetail{Type: "SANCTIONS", SubType: c.ReasonCode})
		}
	}
	return ri, nil
}

// Result builds the result object of a verification from its check results.
func (h *Dialect) Result(ctx context.Context, p kyc.Principal, m kyc.Merchant, v kyc.Verification, images bool, ttl time.Duration) (Result, error) {
	v, checks, err := h.core.Get(ctx, p, v.ID)
	if err != nil {
		return Result{}, err
	}
	a, err := h.cfg.Applicants.Get(ctx, p, v.ApplicantID)
	if err != nil {
		return Result{}, err
	}
	res := Result{MchOrderID: v.Reference, BusinessID: v.ID, MerchantNo: m.MerchantNo, ResultStatus: "Processing", EkycResult: "Pending",
		CreateTime: v.CreatedAt.UTC().Format(TimeLayout)}
	switch v.State {
	case kyc.StateCompleted:
		res.ResultStatus, res.ReturnTime = "Completed", v.UpdatedAt.UTC().Format(TimeLayout)
		res.EkycResult = "Failure"
		if v.Decision == kyc.DecisionApproved {
			res.EkycResult = "Success"
		}
	case kyc.StateExpired, kyc.StateCancelled:
		res.ResultStatus, res.EkycResult, res.ReturnTime = "Completed", "Failure", v.UpdatedAt.UTC().Format(TimeLayout)
	}

	// Basic info: what the applicant declared and chose on the hosted page.
	pii := a.PII
	res.BasicInfo = BasicInfo{CertNo: pii.DocumentNumber, CertName: strings.TrimSpace(pii.FirstName + " " + pii.LastName), CertCountry: pii.Nationality}
	if l, err := h.links.Latest(ctx, p.MerchantID, v.ID); err == nil && l.DocType != "" {
		res.BasicInfo.CertType, res.BasicInfo.DocCategory = certType(l.DocType), strings.ToUpper(l.DocType)
		res.BasicInfo.CertCountry, res.IDInfo.CountryCode = l.DocCountry, l.DocCountry
	} else if err != nil && !kyc.IsNotFound(err) {
		return Result{}, err
	}

	// Document part: required documents, integrity, expiry, MRZ/OCR, tamper.
	isDoc := func(k kyc.CheckKind) bool {
		return hasPrefix(k, "documents.", "document.", string(kyc.KindExpiry), string(kyc.KindConsistency))
	}
	res.IDInfo.EkycResultDoc = aggregate(checks, isDoc)
	res.IDInfo.SpoofResult = SpoofResult{"0", "0", "0"}
	var docReasons []string
	for _, c := range checks {
		if isDoc(c.Kind) && c.Status == kyc.CheckFailed {
			docReasons = append(docReasons, c.ReasonCode)
		}
		if hasPrefix(c.Kind, "document.tamper") {
			res.IDInfo.SpoofResult.TamperCheck = spoof(c.Status)
		}
		if c.Kind == kyc.KindRecapture {
			res.IDInfo.SpoofResult.ScreenRecaptureCheck = spoof(c.Status)
		}
	}
	if err := addOCR(checks, &res, func(sealed string) ([]byte, error) { return h.core.OpenEvidence(sealed, v.ID) }); err != nil {
		return Result{}, err
	}
	if len(docReasons) > 0 {
		res.IDInfo.DocErrorDetails = strings.Join(docReasons, ",")
		res.IDInfo.DocErrorDescription = v.UserMessage
	}

	// Face part: only once a face engine ran.
	res.FaceInfo.EkycResultFace = ""
	for _, c := range checks {
		if !hasPrefix(c.Kind, "face.") || c.Status == kyc.CheckNotRun {
			continue
		}
		res.FaceInfo.EkycResultFace = aggregate(checks, func(k kyc.CheckKind) bool { return hasPrefix(k, "face.") })
		switch c.Kind {
		case kyc.KindFaceMatch:
			res.FaceInfo.MatchResult = aggregate([]kyc.Check{c}, func(kyc.CheckKind) bool { return true })
			res.FaceInfo.FaceScore = strconv.FormatFloat(c.Score*100, 'f', 1, 64)
			ev, err := check.DecodeEvidence[face.MatchEvidence](c)
			if err != nil {
				return Result{}, err
			}
			if ev.SelfieQuality != nil {
				res.FaceInfo.FaceQuality = strconv.FormatFloat(*ev.SelfieQuality*100, 'f', 1, 64)
			}
		case kyc.KindFaceLiveness:
			res.FaceInfo.FaceLivenessResult = aggregate([]kyc.Check{c}, func(kyc.CheckKind) bool { return true })
		}
	}

	// Risk part: duplicates, blocklists, screening.
	if res.RiskInfo, err = riskInfo(checks, a.ID); err != nil {
		return Result{}, err
	}
	if v.State == kyc.StateCompleted {
		res.RiskInfo.StrategyPassResult = "N"
		if v.Decision == kyc.DecisionApproved {
			res.RiskInfo.StrategyPassResult = "Y"
		}
	}

	if images {
		if err := h.addImages(ctx, p, a.ID, &res, ttl); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

// addImages fills the image fields with short-lived signed URLs of the
// newest document of each kind.
func (h *Dialect) addImages(ctx context.Context, p kyc.Principal, applicantID string, res *Result, ttl time.Duration) error {
	docs, err := h.cfg.Applicants.Documents(ctx, p, applicantID)
	if err != nil {
		return err
	}
	exp := h.cfg.Now().Add(ttl).Unix()
	latest := map[kyc.DocumentKind]kyc.Document{}
	var frames []string
	for _, d := range docs { // oldest first
		latest[d.Kind] = d
		if d.Kind == kyc.DocLivenessFrame {
			frames = append(frames, h.imageURL(p.MerchantID, d.ID, exp))
		}
	}
	if d, ok := latest[kyc.DocIDFront]; ok {
		res.IDInfo.FrontPageImg = h.imageURL(p.MerchantID, d.ID, exp)
	}
	if d, ok := latest[kyc.DocIDBack]; ok {
		res.IDInfo.BackPageImg = h.imageURL(p.MerchantID, d.ID, exp)
	}
	if d, ok := latest[kyc.DocSelfie]; ok {
		res.FaceInfo.FaceImg = h.imageURL(p.MerchantID, d.ID, exp)
	}
	res.FaceInfo.ExtraImages = strings.Join(frames, ",")
	return nil
}

func (h *Dialect) imageSig(merchantID, docID string, exp int64) string {
	return h.hasher.LookupHash("paycools-image", merchantID+"|"+docID+"|"+strconv.FormatInt(exp, 10))
}

func (h *Dialect) imageURL(merchantID, docID string, exp int64) string {
	q := url.Values{"m": {merchantID}, "exp": {strconv.FormatInt(exp, 10)}, "sig": {h.imageSig(merchantID, docID, exp)}}
	return h.cfg.PublicURL + PathImages + docID + "?" + q.Encode()
}

// image serves a document behind a signed, expiring URL.
func (h *Dialect) image(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, merchantID := r.PathValue("id"), q.Get("m")
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	want := h.imageSig(merchantID, id, exp)
	if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(q.Get("sig"))) != 1 || h.cfg.Now().Unix() > exp {
		http.Error(w, "link invalid or expired", http.StatusForbidden)
		return
	}
	d, rc, err := h.cfg.Applicants.OpenDocument(r.Context(), kyc.Principal{MerchantID: merchantID, Actor: "paycools:image"}, id)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = io.Copy(w, rc)
}

// addOCR fills ocrResult (and missing basic info) from what was read of
// the document: the MRZ reading of document.mrz, else the AAMVA record of
// document.barcode (a licence without an MRZ), both sealed in their
// evidence (open: the verification's sealed evidence). A malformed
// evidence row or reading is an error naming the check.
func addOCR(checks []kyc.Check, res *Result, open func(sealed string) ([]byte, error)) error {
	filled := false
	for _, c := range checks {
		if c.Kind != kyc.KindMRZ || (c.Status != kyc.CheckPassed && c.Status != kyc.CheckFailed) {
			continue
		}
		ev, err := check.DecodeEvidence[mrz.Evidence](c)
		if err != nil {
			return err
		}
		if ev.ReadingSealed == "" {
			return nil
		}
		var rd mrz.Reading
		if err := openSealed(c, ev.ReadingSealed, open, &rd); err != nil {
			return err
		}
		d := rd.Document
		res.IDInfo.OCRResult = OCRResult{IDNumber: d.DocumentNumber, LastName: d.Surname, FirstName: d.GivenNames,
			FirstNameFull: strings.TrimSpace(d.GivenNames + " " + d.Surname), DateOfBirth: d.BirthDate.String(), DateOfExpiry: d.ExpiryDate.String(),
			CountryCode: d.Nationality, Sex: d.Sex, IssuingState: d.IssuingState}
		fillBasic(res)
		if c.Status == kyc.CheckPassed {
			res.IDInfo.SpoofResult.MaterialCheck = "1" // the MRZ's check digits hold
		}
		filled = true
	}
	for _, c := range checks {
		if filled || c.Kind != kyc.KindBarcode || (c.Status != kyc.CheckPassed && c.Status != kyc.CheckReview) {
			continue
		}
		ev, err := check.DecodeEvidence[barcode.Evidence](c)
		if err != nil {
			return err
		}
		var sealed barcode.Sealed
		if ev.Sealed == "" || ev.AAMVA == nil && ev.National == nil {
			continue
		}
		if err := openSealed(c, ev.Sealed, open, &sealed); err != nil {
			return err
		}
		if n := sealed.National; ev.National != nil && n != nil {
			res.IDInfo.OCRResult = OCRResult{IDNumber: n.DocumentNumber, FirstNameFull: n.FullName, Address: n.Address, DateOfBirth: n.DateOfBirth,
				DateOfIssue: n.DateOfIssue, CountryCode: alpha3(n.Country), Sex: n.Sex}
			fillBasic(res)
			if c.Status == kyc.CheckPassed {
				res.IDInfo.SpoofResult.MaterialCheck = "1" // the code's fields hold and its dates agree
			}
			filled = true
			continue
		}
		if sealed.License == nil {
			return fmt.Errorf("check %s (%s): sealed reading: no licence", c.ID, c.Kind)
		}
		l := sealed.License
		res.IDInfo.OCRResult = OCRResult{IDNumber: l.DocumentNumber, LastName: l.Surname, FirstName: l.GivenNames,
			FirstNameFull: strings.TrimSpace(l.GivenNames + " " + l.Surname), Address: l.Address(), DateOfBirth: l.DateOfBirth,
			DateOfExpiry: l.DateOfExpiry, DateOfIssue: l.DateOfIssue, CountryCode: l.Country, Sex: l.Sex,
			IssuingState: l.Jurisdiction()}
		fillBasic(res)
		if c.Status == kyc.CheckPassed {
			res.IDInfo.SpoofResult.MaterialCheck = "1" // the barcode's record is whole and its dates agree
		}
		filled = true
	}
	return addVIZ(checks, res, open, filled)
}

// alpha3 is an alpha-2 country code as ISO 3166-1 alpha-3 (as the MRZ
// and AAMVA records give it), "" for none.
func alpha3(c string) string {
	r, err := language.ParseRegion(c)
	if err != nil {
		return ""
	}
	return r.ISO3()
}

// addVIZ fills ocrResult from the front's printed zone when document.viz
// passed, fields read at the confidence the pipeline uses: all of them when
// neither the MRZ nor a barcode was read (filled false), else only those
// the others lack (address, date of issue).
func addVIZ(checks []kyc.Check, res *Result, open func(sealed string) ([]byte, error), filled bool) error {
	for _, c := range checks {
		if c.Kind != kyc.KindVIZ || c.Status != kyc.CheckPassed {
			continue // a printed zone not read whole, or contradicting another zone, is no holder's data
		}
		ev, err := check.DecodeEvidence[viz.Evidence](c)
		if err != nil {
			return err
		}
		if ev.Sealed == "" {
			return nil
		}
		var sealed struct {
			VIZ map[string]viz.Field `json:"viz"`
		}
		if err := openSealed(c, ev.Sealed, open, &sealed); err != nil {
			return err
		}
		get := func(k string) string {
			if f, ok := sealed.VIZ[k]; ok && f.Confidence >= viz.Confident {
				return f.Value
			}
			return ""
		}
		o := &res.IDInfo.OCRResult
		if o.Address == "" {
			o.Address = get(viz.FieldAddress)
		}
		if o.DateOfIssue == "" {
			o.DateOfIssue = get(viz.FieldIssueDate)
		}
		if filled {
			return nil
		}
		o.IDNumber, o.LastName, o.FirstName = get(viz.FieldDocumentNumber), get(viz.FieldSurname), get(viz.FieldGivenNames)
		o.FirstNameFull = strings.TrimSpace(o.FirstName + " " + o.LastName)
		if full := get(viz.FieldFullName); full != "" {
			o.FirstNameFull = full
		}
		o.DateOfBirth, o.DateOfExpiry, o.CountryCode, o.Sex = get(viz.FieldBirthDate), get(viz.FieldExpiryDate), get(viz.FieldNationality), get(viz.FieldSex)
		fillBasic(res)
		return nil
	}
	return nil
}

// openSealed opens a check's sealed reading into v.
func openSealed(c kyc.Check, sealed string, open func(string) ([]byte, error), v any) error {
	plain, err := open(sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("check %s (%s): sealed reading: %w", c.ID, c.Kind, err)
	}
	return nil
}

// fillBasic takes the certificate's number and name from the reading when
// the applicant declared none.
func fillBasic(res *Result) {
	if res.BasicInfo.CertNo == "" {
		res.BasicInfo.CertNo = res.IDInfo.OCRResult.IDNumber
	}
	if res.BasicInfo.CertName == "" {
		res.BasicInfo.CertName = res.IDInfo.OCRResult.FirstNameFull
	}
}
