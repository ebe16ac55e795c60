package barcode

// Issuer is the jurisdiction an AAMVA issuer identification number (IIN)
// belongs to.
type Issuer struct {
	Name    string `json:"name"`
	Code    string `json:"code"`    // its postal code (CA, ON; "" for the State Department and Mexican states)
	Country string `json:"country"` // as DCG writes it: USA, CAN, MEX
}

// issuers are the IINs of AAMVA's public list of issuer identification
// numbers (aamva.org, "Issuer Identification Numbers (IIN)"): the
// jurisdictions that issue DL/ID cards with the AAMVA barcode.
var issuers = map[string]Issuer{
	"604426": {"Prince Edward Island", "PE", "CAN"}, "604427": {"American Samoa", "AS", "USA"}, "604428": {"Quebec", "QC", "CAN"},
	"604429": {"Yukon", "YT", "CAN"}, "604430": {"Northern Mariana Islands", "MP", "USA"}, "604431": {"Puerto Rico", "PR", "USA"},
	"604432": {"Alberta", "AB", "CAN"}, "604433": {"Nunavut", "NU", "CAN"}, "604434": {"Northwest Territories", "NT", "CAN"},
	"636000": {"Virginia", "VA", "USA"}, "636001": {"New York", "NY", "USA"}, "636002": {"Massachusetts", "MA", "USA"},
	"636003": {"Maryland", "MD", "USA"}, "636004": {"North Carolina", "NC", "USA"}, "636005": {"South Carolina", "SC", "USA"},
	"636006": {"Connecticut", "CT", "USA"}, "636007": {"Louisiana", "LA", "USA"}, "636008": {"Montana", "MT", "USA"},
	"636009": {"New Mexico", "NM", "USA"}, "636010": {"Florida", "FL", "USA"}, "636011": {"Delaware", "DE", "USA"},
	"636012": {"Ontario", "ON", "CAN"}, "636013": {"Nova Scotia", "NS", "CAN"}, "636014": {"California", "CA", "USA"},
	"636015": {"Texas", "TX", "USA"}, "636016": {"Newfoundland and Labrador", "NL", "CAN"}, "636017": {"New Brunswick", "NB", "CAN"},
	"636018": {"Iowa", "IA", "USA"}, "636019": {"Guam", "GU", "USA"}, "636020": {"Colorado", "CO", "USA"},
	"636021": {"Arkansas", "AR", "USA"}, "636022": {"Kansas", "KS", "USA"}, "636023": {"Ohio", "OH", "USA"},
	"636024": {"Vermont", "VT", "USA"}, "636025": {"Pennsylvania", "PA", "USA"}, "636026": {"Arizona", "AZ", "USA"},
	"636027": {"U.S. Department of State", "", "USA"}, "636028": {"British Columbia", "BC", "CAN"}, "636029": {"Oregon", "OR", "USA"},
	"636030": {"Missouri", "MO", "USA"}, "636031": {"Wisconsin", "WI", "USA"}, "636032": {"Michigan", "MI", "USA"},
	"636033": {"Alabama", "AL", "USA"}, "636034": {"North Dakota", "ND", "USA"}, "636035": {"Illinois", "IL", "USA"},
	"636036": {"New Jersey", "NJ", "USA"}, "636037": {"Indiana", "IN", "USA"}, "636038": {"Minnesota", "MN", "USA"},
	"636039": {"New Hampshire", "NH", "USA"}, "636040": {"Utah", "UT", "USA"}, "636041": {"Maine", "ME", "USA"},
	"636042": {"South Dakota", "SD", "USA"}, "636043": {"District of Columbia", "DC", "USA"}, "636044": {"Saskatchewan", "SK", "CAN"},
	"636045": {"Washington", "WA", "USA"}, "636046": {"Kentucky", "KY", "USA"}, "636047": {"Hawaii", "HI", "USA"},
	"636048": {"Manitoba", "MB", "CAN"}, "636049": {"Nevada", "NV", "USA"}, "636050": {"Idaho", "ID", "USA"},
	"636051": {"Mississippi", "MS", "USA"}, "636052": {"Rhode Island", "RI", "USA"}, "636053": {"Tennessee", "TN", "USA"},
	"636054": {"Nebraska", "NE", "USA"}, "636055": {"Georgia", "GA", "USA"}, "636056": {"Coahuila", "", "MEX"},
	"636057": {"Hidalgo", "", "MEX"}, "636058": {"Oklahoma", "OK", "USA"}, "636059": {"Alaska", "AK", "USA"},
	"636060": {"Wyoming", "WY", "USA"}, "636061": {"West Virginia", "WV", "USA"}, "636062": {"U.S. Virgin Islands", "VI", "USA"},
}

// IssuerOf is the jurisdiction of an IIN, ok false for one not on the list.
func IssuerOf(iin string) (Issuer, bool) {
	is, ok := issuers[iin]
	return is, ok
}

// issuerAgrees says whether the record's country (DCG) is its IIN's: a
// record whose header names one country's issuer and whose data another
// was not made by either. (DAJ is the holder's mailing address's
// jurisdiction, which may lie in another state than the issuer's.) An IIN
// off the list, or a record without DCG, is no disagreement.
func issuerAgrees(l License) bool {
	is, ok := IssuerOf(l.IIN)
	return !ok || l.Country == "" || l.Country == is.Country
}

// Jurisdiction names the record's issuer: its IIN's jurisdiction when the
// IIN is on AAMVA's list and the record's country agrees, else "".
func (l License) Jurisdiction() string {
	if is, ok := IssuerOf(l.IIN); ok && issuerAgrees(l) {
		return is.Name
	}
	return ""
}
