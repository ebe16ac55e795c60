package kyc

// State is the processing layer of a verification's status.
//
//	created ──submit──▶ submitted ──start──▶ processing ──decide──▶ completed
//	   │                   │                    │  └──review──▶ review ──decide──┘
//	   └──expire/cancel────┴──expire/cancel─────┴──cancel───────────┘
type State string

// Verification states.
const (
	StateCreated    State = "created"
	StateSubmitted  State = "submitted"
	StateProcessing State = "processing"
	StateReview     State = "review"
	StateCompleted  State = "completed"
	StateExpired    State = "expired"
	StateCancelled  State = "cancelled"
)

// States lists every state in lifecycle order.
var States = []State{StateCreated, StateSubmitted, StateProcessing, StateReview, StateCompleted, StateExpired, StateCancelled}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// Terminal reports whether no transition leaves s.
func (s State) Terminal() bool {
	return s == StateCompleted || s == StateExpired || s == StateCancelled
}

// Decision is the outcome layer, set only when the state is completed.
type Decision string

// Decisions.
const (
	DecisionNone     Decision = ""
	DecisionApproved Decision = "approved"
	DecisionRejected Decision = "rejected"
)

// RejectType says whether a rejected applicant may try again.
type RejectType string

// Reject types.
const (
	RejectNone  RejectType = ""
	RejectRetry RejectType = "retry"
	RejectFinal RejectType = "final"
)

// Reason codes shared by checks, policies and reviewers.
const (
	ReasonFaceMismatch    = "FACE_MISMATCH"
	ReasonDocExpired      = "DOC_EXPIRED"
	ReasonMRZInvalid      = "MRZ_INVALID"
	ReasonMRZDoubtful     = "MRZ_DOUBTFUL" // check digits hold but the reading is not to be trusted: a reviewer looks
	ReasonSanctionsHit    = "SANCTIONS_HIT"
	ReasonPEPHit          = "PEP_HIT"
	ReasonUnderage        = "UNDERAGE"
	ReasonDocumentMissing = "DOCUMENT_MISSING"
	ReasonDocumentQuality = "DOCUMENT_QUALITY"
	ReasonDuplicate       = "DUPLICATE_IDENTITY"
	ReasonBlocklisted     = "BLOCKLISTED"
	ReasonDataMismatch    = "DATA_MISMATCH"
	// ReasonDocumentTypeMismatch: the document read is not of the type or
	// country declared for it (review).
	ReasonDocumentTypeMismatch = "DOCUMENT_TYPE_MISMATCH"
	// ReasonRecapture: the document photo looks taken of a screen or of a
	// grey photocopy (review, never an automatic rejection).
	ReasonRecapture      = "DOCUMENT_RECAPTURE"
	ReasonLivenessFailed = "LIVENESS_FAILED"
	ReasonFraudSuspected = "FRAUD_SUSPECTED"
	ReasonTamperHints    = "TAMPER_HINTS" // editing traces: a reviewer looks, never an automatic rejection
	ReasonOther          = "OTHER"
	// ReasonCheckUnavailable: a check the level enables could not run (its
	// engine, assets or lists are missing, stale or failed): a person looks.
	ReasonCheckUnavailable = "CHECK_UNAVAILABLE"
	// ReasonDocumentUnreadable: no engine read the holder's name and birth
	// date from the document, and the level asks for them.
	ReasonDocumentUnreadable = "DOCUMENT_UNREADABLE"
)
