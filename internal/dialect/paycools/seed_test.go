package paycools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// seedResult is the notification's param (and Check Result's data) as the
// seed page's example (paycools-ekyc-notification) types it: every field it
// shows, strings but estimatedAge and similarScore.
type seedResult struct {
	MchOrderID   string `json:"mchOrderId"`
	BusinessID   string `json:"businessId"`
	MerchantNo   string `json:"merchantNo"`
	ResultStatus string `json:"resultStatus"`
	EkycResult   string `json:"ekycResult"`
	CreateTime   string `json:"createTime"`
	ReturnTime   string `json:"returnTime"`
	ExtBasicInfo *struct {
		CertType    string `json:"certType"`
		DocCategory string `json:"docCategory"`
		CertNo      string `json:"certNo"`
		CertName    string `json:"certName"`
		CertCountry string `json:"certCountry"`
	} `json:"extBasicInfo"`
	ExtFaceInfo *struct {
		EkycResultFace     string `json:"ekycResultFace"`
		MatchResult        string `json:"matchResult"`
		FaceScore          string `json:"faceScore"`
		FaceImg            string `json:"faceImg"`
		ExtraImages        string `json:"extraImages"`
		FaceQuality        string `json:"faceQuality"`
		FaceLivenessResult string `json:"faceLivenessResult"`
		EstimatedAge       int    `json:"estimatedAge"`
	} `json:"extFaceInfo"`
	ExtIDInfo *struct {
		EkycResultDoc string `json:"ekycResultDoc"`
		FrontPageImg  string `json:"frontPageImg"`
		BackPageImg   string `json:"backPageImg"`
		CountryCode   string `json:"countryCode"`
		OCRResult     *struct {
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
		} `json:"ocrResult"`
		SpoofResult *struct {
			TamperCheck          string `json:"tamperCheck"`
			MaterialCheck        string `json:"materialCheck"`
			ScreenRecaptureCheck string `json:"screenRecaptureCheck"`
		} `json:"spoofResult"`
		DocErrorDetails     string `json:"docErrorDetails"`
		DocErrorDescription string `json:"docErrorDescription"`
	} `json:"extIdInfo"`
	ExtRiskInfo *struct {
		EkycResultRisk     string `json:"ekycResultRisk"`
		StrategyPassResult string `json:"strategyPassResult"`
		AdvancedIdnDetail  *struct {
			RiskDetails []struct {
				Type    string `json:"type"`
				SubType string `json:"subType"`
			} `json:"riskDetails"`
		} `json:"advancedIdnDetail"`
		BlackListDetails []struct {
			ListID       string `json:"listId"`
			ItemID       string `json:"itemId"`
			ItemType     string `json:"itemType"`
			SimilarScore int    `json:"similarScore"`
		} `json:"blackListDetails"`
	} `json:"extRiskInfo"`
}

// seedFields are the fields the seed's example shows, by object: all are
// present in openkyc's results (estimatedAge aside: no age model).
var seedFields = map[string][]string{
	"": {"mchOrderId", "businessId", "merchantNo", "resultStatus", "ekycResult", "createTime", "returnTime", "extBasicInfo", "extFaceInfo",
		"extIdInfo", "extRiskInfo"},
	"extBasicInfo": {"certType", "docCategory", "certNo", "certName", "certCountry"},
	"extFaceInfo":  {"ekycResultFace", "matchResult", "faceScore", "faceImg", "extraImages", "faceQuality", "faceLivenessResult"},
	"extIdInfo":    {"ekycResultDoc", "frontPageImg", "backPageImg", "countryCode", "ocrResult", "spoofResult", "docErrorDetails", "docErrorDescription"},
	"spoofResult":  {"tamperCheck", "materialCheck", "screenRecaptureCheck"},
	"ocrResult": {"idNumber", "laserNumber", "lastName", "firstName", "firstNameFull", "address", "dateOfBirth", "dateOfExpiry", "dateOfIssue",
		"countryCode", "sex", "issuingState"},
	"extRiskInfo": {"ekycResultRisk", "strategyPassResult", "advancedIdnDetail", "blackListDetails"},
}

// strictResult decodes a result as a strictly typed client written from
// the seed does (exact types, no unknown fields) and checks that every
// field of the seed's example is present.
func strictResult(t *testing.T, v map[string]any) {
	t.Helper()
	var r seedResult
	kyctest.StrictJSON(t, v, &r)
	objects := map[string]map[string]any{"": v}
	for _, k := range []string{"extBasicInfo", "extFaceInfo", "extIdInfo", "extRiskInfo"} {
		objects[k], _ = v[k].(map[string]any)
	}
	objects["ocrResult"], _ = objects["extIdInfo"]["ocrResult"].(map[string]any)
	objects["spoofResult"], _ = objects["extIdInfo"]["spoofResult"].(map[string]any)
	for obj, fields := range seedFields {
		for _, f := range fields {
			require.Contains(t, objects[obj], f, "%s.%s is in the seed's example: %v", obj, f, v)
		}
	}
}
