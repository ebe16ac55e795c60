package kyc

import (
	"strings"
	"time"
)

// Surface names the API surface a record was created through. References are
// unique per (merchant, surface, reference). A dialect's surface is its one
// name: in code, in stored rows (references, credentials, settings, nonces),
// in webhooks and exports. Only the native API, the CLI and the console
// spell two of them differently (see APIName).
type Surface string

// Known surfaces.
const (
	SurfaceNative      Surface = "native"
	SurfacePayCools    Surface = "paycools"
	SurfaceVexora      Surface = "vexora"
	SurfaceKYCSharing  Surface = "kycsharing"
	SurfaceCardBinding Surface = "cardbinding"
)

// Dialects are the provider-compatible surfaces, in the order the API lists
// them.
var Dialects = []Surface{SurfaceVexora, SurfaceKYCSharing, SurfaceCardBinding, SurfacePayCools}

// APIName is how the native API (/v1/dialects/{dialect}), the CLI and the
// console spell a surface: kyc_sharing and card_binding were published so
// before the surfaces were named, and they stay.
func (s Surface) APIName() string {
	switch s {
	case SurfaceKYCSharing:
		return "kyc_sharing"
	case SurfaceCardBinding:
		return "card_binding"
	}
	return string(s)
}

// ParseDialect resolves a dialect's name as operators and clients write it
// (kyc_sharing, card-binding, CardBinding, paycools…) to its surface; ok is
// false when it names no dialect.
func ParseDialect(name string) (Surface, bool) {
	key := strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(name)))
	for _, d := range Dialects {
		if string(d) == key {
			return d, true
		}
	}
	return "", false
}

// MerchantStatus is the lifecycle status of a tenant.
type MerchantStatus string

// Merchant statuses.
const (
	MerchantActive    MerchantStatus = "active"
	MerchantSuspended MerchantStatus = "suspended"
)

// Merchant is a tenant.
type Merchant struct {
	ID         string
	MerchantNo string
	Name       string
	Status     MerchantStatus
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Credential kinds.
const (
	CredentialAPIKey = "api_key"
)

// Credential is one secret a merchant authenticates with. Only the hash of an
// API key is stored; Secret (encrypted at rest) is for kinds whose secret the
// server must know, such as HMAC app secrets of the dialects.
type Credential struct {
	ID         string
	MerchantID string
	Kind       string
	Lookup     string // sha256 of the API key, hex; unique
	Hint       string // last 4 characters, to tell keys apart
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// DocumentTypes are the identity documents an applicant may declare (and
// the hosted page offers).
var DocumentTypes = []string{"passport", "id_card", "driving_license", "residence_permit"}

// PII is the personal data of an applicant. It is stored encrypted as a whole.
type PII struct {
	FirstName      string `json:"first_name,omitempty"`
	LastName       string `json:"last_name,omitempty"`
	DateOfBirth    string `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	Nationality    string `json:"nationality,omitempty"`   // ISO 3166 alpha-2
	Email          string `json:"email,omitempty"`
	Phone          string `json:"phone,omitempty"` // E.164
	DocumentNumber string `json:"document_number,omitempty"`
	DocumentExpiry string `json:"document_expiry,omitempty"` // YYYY-MM-DD
	// DocumentType and DocumentCountry declare the identity document the
	// applicant presents (DocumentTypes; ISO alpha-2), which
	// document.classification compares with what is read.
	DocumentType    string   `json:"document_type,omitempty"`
	DocumentCountry string   `json:"document_country,omitempty"`
	Address         *Address `json:"address,omitempty"`
}

// Applicant is one end user of one merchant.
type Applicant struct {
	ID             string
	MerchantID     string
	Surface        Surface
	ExternalUserID string // the merchant's key of the user; stored sealed with the PII
	PII            PII
	// ExternalIDHash is the keyed hash of ExternalUserID scoped by merchant
	// and surface: what the store keeps in clear, unique, for lookups.
	ExternalIDHash string
	// Keyed hashes (HMAC) of normalised identifiers for duplicate search.
	DocNumberHash string
	EmailHash     string
	PhoneHash     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// DeletedAt is set by a deletion request; the applicant is purged at
	// PurgeAfter unless restored before. ErasedAt is set by the purge, which
	// leaves only this tombstone (ids and dates) and the verifications'
	// decisions. DocumentsErasedAt is set when documents and biometrics were
	// removed on their own (retention, biometric deletion).
	DeletedAt         *time.Time
	PurgeAfter        *time.Time
	ErasedAt          *time.Time
	DocumentsErasedAt *time.Time
}

// Erased reports whether the applicant's data was purged.
func (a Applicant) Erased() bool { return a.ErasedAt != nil }

// Deleted reports whether the applicant was deleted (and perhaps purged).
func (a Applicant) Deleted() bool { return a.DeletedAt != nil }

// Verification is one KYC attempt of an applicant.
type Verification struct {
	ID          string
	MerchantID  string
	ApplicantID string
	Surface     Surface
	Reference   string
	Level       string
	// Country is the applicant's document country as declared when the
	// verification was created (else nationality; "" when neither): the
	// analytics page filters by it.
	Country     string
	State       State
	Decision    Decision
	RejectType  RejectType
	Reasons     []string
	UserMessage string
	Note        string // internal note, never shown to the end user
	DecidedBy   string
	Attempt     int    // submissions so far; a retry rejection allows another
	CallbackURL string // where a dialect sends its callbacks ("" for native)
	Version     int    // optimistic concurrency counter
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DocumentKind is the kind of an uploaded document.
type DocumentKind string

// Document kinds.
const (
	DocIDFront        DocumentKind = "id_front"
	DocIDBack         DocumentKind = "id_back"
	DocSelfie         DocumentKind = "selfie"
	DocSelfieWithID   DocumentKind = "selfie_with_id"
	DocSignature      DocumentKind = "signature"
	DocProofOfAddress DocumentKind = "proof_of_address"
	DocAMLReport      DocumentKind = "aml_report"
	DocIDVReport      DocumentKind = "idv_report"
	// DocLivenessFrame is one frame of the hosted page's active liveness
	// challenge; frames are ordered by id and follow the link's challenge.
	DocLivenessFrame DocumentKind = "liveness_frame"
)

// DocumentKinds lists every kind in a stable order.
var DocumentKinds = []DocumentKind{DocIDFront, DocIDBack, DocSelfie, DocSelfieWithID, DocSignature, DocProofOfAddress, DocAMLReport, DocIDVReport, DocLivenessFrame}

// Valid reports whether k is a known kind.
func (k DocumentKind) Valid() bool {
	for _, v := range DocumentKinds {
		if v == k {
			return true
		}
	}
	return false
}

// IsReport reports whether documents of this kind are PDF reports.
func (k DocumentKind) IsReport() bool { return k == DocAMLReport || k == DocIDVReport }

// AllowsPDF reports whether a PDF is acceptable for this kind: the partner
// reports, and a proof of address (a utility bill or bank statement is often
// a PDF); every other kind is an image the engines read.
func (k DocumentKind) AllowsPDF() bool { return k.IsReport() || k == DocProofOfAddress }

// AllowsImage reports whether an image is acceptable for this kind.
func (k DocumentKind) AllowsImage() bool { return !k.IsReport() }

// Document is an uploaded file. The bytes live encrypted in blob storage.
type Document struct {
	ID            string
	MerchantID    string
	ApplicantID   string
	Kind          DocumentKind
	ContentType   string
	Size          int64
	SHA256        string // hex of the plaintext
	BlobKey       string
	KeyID         string
	Width, Height int
	// Trailer is what a phone had appended after the end of a JPEG and
	// was removed before storing (nil: nothing). Size and SHA256 above
	// are of the stored image.
	Trailer   *RemovedTrailer
	CreatedAt time.Time
}

// RemovedTrailer records the bytes after a JPEG's end-of-image marker that
// were recognised as a phone's own (further JPEG images, a motion photo's
// video, Samsung's trailer, padding) and not stored. Only this record is
// kept, never the bytes.
type RemovedTrailer struct {
	// Kinds lists what the bytes held, in file order: jpeg, mp4, samsung,
	// padding.
	Kinds  []string `json:"kinds"`
	Size   int64    `json:"size"`
	SHA256 string   `json:"sha256"` // hex of the removed bytes
}

// CheckStatus is the outcome of one check.
type CheckStatus string

// Check statuses. not_run and error never count as a pass.
const (
	CheckPassed CheckStatus = "passed"
	CheckFailed CheckStatus = "failed"
	CheckReview CheckStatus = "review"
	CheckNotRun CheckStatus = "not_run"
	CheckError  CheckStatus = "error"
)

// NotRunKind says why a check did not run (status not_run).
type NotRunKind string

// Kinds of "did not run".
const (
	// NotRunUnavailable: the engine, its assets or its lists are missing,
	// stale or failed — an operator's problem. Never passes: the level sends
	// the verification to review (CHECK_UNAVAILABLE) unless it allows it.
	NotRunUnavailable NotRunKind = "unavailable"
	// NotRunNotApplicable: the input has nothing for the check (no MRZ on
	// this document, no hosted capture in an API-only flow); the level's
	// on_not_applicable decides.
	NotRunNotApplicable NotRunKind = "not_applicable"
)

// Check is one automated examination of a verification.
type Check struct {
	ID             string
	MerchantID     string
	VerificationID string
	Kind           CheckKind
	Status         CheckStatus
	Score          float64
	ReasonCode     string
	// NotRunKind is set when Status is not_run: unavailable or
	// not_applicable ("" in results stored before the distinction, which
	// count as unavailable).
	NotRunKind    NotRunKind
	Evidence      []byte // JSON
	EngineVersion string
	CreatedAt     time.Time
}

// AuditEntry is one link of a merchant's hash-chained audit trail.
type AuditEntry struct {
	MerchantID  string
	Seq         int64
	ID          string
	At          time.Time
	Actor       string
	Action      string
	SubjectType string
	SubjectID   string
	Data        []byte // canonical JSON, no PII
	PrevHash    string
	Hash        string
}

// Event is an outbox row: something a merchant is told about by webhook.
type Event struct {
	ID          string
	MerchantID  string
	Type        string
	SubjectID   string
	Payload     []byte // JSON
	CreatedAt   time.Time
	DeliveredAt *time.Time
	Attempts    int
}
