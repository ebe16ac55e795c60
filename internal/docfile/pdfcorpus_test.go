package docfile_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the PDF corpus in testdata/pdf")

// pobj is one indirect object of a generated PDF.
type pobj struct {
	num    int
	body   string // the object; for a stream, the entries of its dictionary without << >> and /Length
	stream []byte // nil: not a stream
	inStm  bool   // packed into the object stream
}

// pdfRev is one revision of a generated PDF: its objects, an optional
// object stream holding the objects marked inStm, and a cross-reference
// table or stream.
type pdfRev struct {
	objs       []pobj
	objStm     int    // number of the object stream
	stmFilter  string // its /Filter entries; default /FlateDecode with compressed data
	stmRaw     []byte // its data as is, instead of the packed objects
	beforeStm  string // bytes written just before the object stream
	xrefStream int    // number of a cross-reference stream; 0: a table
	trailer    string // extra trailer entries
	root       int
	size       int
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

var startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)

// buildPDF appends a revision to base (a new file when base is empty).
func buildPDF(base []byte, r pdfRev) []byte {
	var buf bytes.Buffer
	prev := -1
	if len(base) == 0 {
		buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	} else {
		buf.Write(base)
		m := startxrefRe.FindSubmatch(base)
		prev, _ = strconv.Atoi(string(m[1]))
	}
	type entry struct{ typ, f2, f3 int }
	entries := map[int]entry{}
	write := func(num int, body string, stream []byte) {
		entries[num] = entry{1, buf.Len(), 0}
		if stream == nil {
			fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", num, body)
			return
		}
		fmt.Fprintf(&buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", num, body, len(stream))
		buf.Write(stream)
		buf.WriteString("\nendstream\nendobj\n")
	}
	var head, content bytes.Buffer
	n := 0
	for _, o := range r.objs {
		if o.inStm {
			fmt.Fprintf(&head, "%d %d ", o.num, content.Len())
			content.WriteString(o.body + "\n")
			entries[o.num] = entry{2, r.objStm, n}
			n++
			continue
		}
		write(o.num, o.body, o.stream)
	}
	if n > 0 || r.stmRaw != nil {
		data := append(head.Bytes(), content.Bytes()...)
		filter := r.stmFilter
		switch {
		case r.stmRaw != nil:
			data = r.stmRaw
		case filter == "":
			filter, data = "/Filter /FlateDecode", deflate(data)
		}
		buf.WriteString(r.beforeStm)
		write(r.objStm, fmt.Sprintf("/Type /ObjStm /N %d /First %d %s", n, head.Len(), filter), data)
	}
	extra := r.trailer
	if prev >= 0 {
		extra += fmt.Sprintf(" /Prev %d", prev)
	}
	start := buf.Len()
	if r.xrefStream > 0 {
		entries[r.xrefStream] = entry{1, start, 0}
		var rows bytes.Buffer
		for i := range r.size {
			e, ok := entries[i]
			if !ok && (len(base) > 0 || i > 0) {
				continue
			}
			rows.WriteByte(byte(e.typ))
			_ = binary.Write(&rows, binary.BigEndian, uint32(e.f2))
			_ = binary.Write(&rows, binary.BigEndian, uint16(e.f3))
		}
		index := ""
		for i := range r.size {
			if _, ok := entries[i]; ok || len(base) == 0 && i == 0 {
				index += fmt.Sprintf("%d 1 ", i)
			}
		}
		data := deflate(rows.Bytes())
		fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Root %d 0 R%s /Filter /FlateDecode /Length %d >>\nstream\n",
			r.xrefStream, r.size, index, r.root, extra, len(data))
		buf.Write(data)
		fmt.Fprintf(&buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", start)
		return buf.Bytes()
	}
	buf.WriteString("xref\n")
	if len(base) == 0 {
		buf.WriteString("0 1\n0000000000 65535 f \n")
	}
	for i := range r.size {
		if e, ok := entries[i]; ok {
			if e.typ != 1 {
				panic("objects in an object stream need a cross-reference stream")
			}
			fmt.Fprintf(&buf, "%d 1\n%010d 00000 n \n", i, e.f2)
		}
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", r.size, r.root, extra, start)
	return buf.Bytes()
}

const (
	catalog   = "<< /Type /Catalog /Pages 2 0 R >>"
	pages     = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
	page      = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
	font      = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
	pageText  = "BT /F1 24 Tf 72 720 Td (Proof of address) Tj ET"
	jsAction  = "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
	pageWith  = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R %s >>"
	plainBody = "/Filter /FlateDecode"
)

// packed returns a one-page document with every non-stream object in an
// object stream (number 10) and a cross-reference stream (number 11).
func packed(cat, pg string, more ...pobj) []byte {
	return packedRev(pdfRev{}, cat, pg, more...)
}

func packedRev(r pdfRev, cat, pg string, more ...pobj) []byte {
	objs := []pobj{
		{num: 1, body: cat, inStm: true},
		{num: 2, body: pages, inStm: true},
		{num: 3, body: pg, inStm: true},
		{num: 4, body: font, inStm: true},
		{num: 5, body: plainBody, stream: deflate([]byte(pageText))},
	}
	r.objs, r.objStm, r.xrefStream, r.root, r.size = append(objs, more...), 10, 11, 1, 12
	return buildPDF(nil, r)
}

func plainPDF() []byte {
	return buildPDF(nil, pdfRev{objs: []pobj{
		{num: 1, body: catalog}, {num: 2, body: pages}, {num: 3, body: page}, {num: 4, body: font},
		{num: 5, body: "", stream: []byte(pageText)},
	}, root: 1, size: 6})
}

// pdfCorpus builds every file of testdata/pdf.
func pdfCorpus() map[string][]byte {
	c := map[string][]byte{}
	// The reported file: catalog and JavaScript action, both in an object
	// stream found through a cross-reference stream.
	c["objstm-openaction-js.pdf"] = buildPDF(nil, pdfRev{objs: []pobj{
		{num: 1, body: "<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>", inStm: true},
		{num: 2, body: "<< /Type /Pages /Kids [] /Count 0 >>", inStm: true},
		{num: 3, body: jsAction, inStm: true},
	}, objStm: 4, xrefStream: 5, root: 1, size: 6})
	c["objstm-page-aa.pdf"] = packed(catalog, fmt.Sprintf(pageWith, "/AA << /O 6 0 R >>"), pobj{num: 6, body: jsAction, inStm: true})
	c["objstm-launch.pdf"] = packed(catalog, fmt.Sprintf(pageWith, "/Annots [6 0 R]"),
		pobj{num: 6, body: "<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] /A << /S /Launch /F (cmd.exe) >> >>", inStm: true})
	c["objstm-embeddedfile.pdf"] = packed("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(invoice.exe) 6 0 R] >> >> >>", page,
		pobj{num: 6, body: "<< /Type /Filespec /F (invoice.exe) /EF << /F 7 0 R >> >>", inStm: true},
		pobj{num: 7, body: "/Filter /FlateDecode", stream: deflate([]byte("MZ\x90\x00"))})
	c["objstm-richmedia.pdf"] = packed(catalog, fmt.Sprintf(pageWith, "/Annots [6 0 R]"),
		pobj{num: 6, body: "<< /Type /Annot /Subtype /RichMedia /Rect [0 0 100 100] >>", inStm: true})
	c["objstm-xfa.pdf"] = packed("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XF#41 7 0 R >> >>", page,
		pobj{num: 7, body: "/Filter /FlateDecode", stream: deflate([]byte("<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"></xdp:xdp>"))})
	c["objstm-submitform.pdf"] = packed(catalog, fmt.Sprintf(pageWith, "/Annots [6 0 R]"),
		pobj{num: 6, body: "<< /Type /Annot /Subtype /Widget /FT /Btn /Rect [0 0 100 100] /A << /S /SubmitForm /F (https://collector.invalid/x) >> >>", inStm: true})
	c["objstm-importdata.pdf"] = packed(catalog, fmt.Sprintf(pageWith, "/Annots [6 0 R]"),
		pobj{num: 6, body: "<< /Type /Annot /Subtype /Widget /FT /Btn /Rect [0 0 100 100] /A << /S /ImportData /F (data.fdf) >> >>", inStm: true})
	c["objstm-escaped-name.pdf"] = packed("<< /Type /Catalog /Pages 2 0 R /Names << /J#61va#53cript 6 0 R >> >>", page,
		pobj{num: 6, body: "<< /Names [(a) << /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >>] >>", inStm: true})
	// A clean first revision; the second adds an open action, packed.
	c["incremental-openaction.pdf"] = buildPDF(plainPDF(), pdfRev{objs: []pobj{
		{num: 1, body: "<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>", inStm: true},
		{num: 6, body: jsAction, inStm: true},
	}, objStm: 7, xrefStream: 8, root: 1, size: 9})
	c["encrypted.pdf"] = buildPDF(nil, pdfRev{objs: []pobj{
		{num: 1, body: catalog}, {num: 2, body: pages}, {num: 3, body: page}, {num: 4, body: font},
		{num: 5, body: "", stream: []byte(pageText)},
		{num: 6, body: "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <" + hex32('a') + "> /U <" + hex32('b') + "> >>"},
	}, xrefStream: 7, root: 1, size: 8, trailer: " /Encrypt 6 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]"})
	// 17 MiB of white space after a valid header, deflated to ~17 KiB.
	bomb := append([]byte("1 0 "), bytes.Repeat([]byte(" "), 17<<20)...)
	c["objstm-flate-bomb.pdf"] = buildPDF(nil, pdfRev{objs: []pobj{
		{num: 1, body: catalog}, {num: 2, body: "<< /Type /Pages /Kids [] /Count 0 >>"},
	}, objStm: 3, stmFilter: "/Filter /FlateDecode", stmRaw: deflate(bomb), xrefStream: 4, root: 1, size: 5})
	c["objstm-lzw.pdf"] = buildPDF(nil, pdfRev{objs: []pobj{
		{num: 1, body: catalog}, {num: 2, body: "<< /Type /Pages /Kids [] /Count 0 >>"},
	}, objStm: 3, stmFilter: "/Filter /LZWDecode", stmRaw: []byte("\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01"), xrefStream: 4, root: 1, size: 5})
	// An unbalanced "(" between objects, which a viewer jumping to object
	// offsets never reads, must not hide the object stream after it.
	c["garbage-before-objstm.pdf"] = packedRev(pdfRev{beforeStm: "(\n"}, catalog, fmt.Sprintf(pageWith, "/AA << /O 6 0 R >>"), pobj{num: 6, body: jsAction, inStm: true})
	// "stream" in a comment: a scanner that ignores comments skips what follows.
	c["comment-stream.pdf"] = buildPDF(nil, pdfRev{objs: []pobj{
		{num: 1, body: "<< /Type /Catalog /Pages 2 0 R %stream\n/OpenAction 3 0 R %endstream\n>>"},
		{num: 2, body: "<< /Type /Pages /Kids [] /Count 0 >>"}, {num: 3, body: jsAction},
	}, root: 1, size: 4})

	c["benign-plain.pdf"] = plainPDF()
	c["benign-objstm.pdf"] = packed(catalog, fmt.Sprintf(pageWith, "/Resources << /Font << /F1 4 0 R >> >> /Annots [6 0 R]"),
		pobj{num: 6, body: "<< /Type /Annot /Subtype /Link /Rect [72 700 300 740] /A << /S /URI /URI (https://bank.example/AA/JS/statement) >> >>", inStm: true})
	c["benign-incremental.pdf"] = buildPDF(plainPDF(), pdfRev{objs: []pobj{
		{num: 6, body: "<< /Title (Statement \\(March\\)) /Producer (openkyc tests) >>"},
	}, root: 1, size: 7, trailer: " /Info 6 0 R"})
	return c
}

func hex32(c byte) string { return string(bytes.Repeat([]byte{c}, 64)) }

// TestPDFCorpusFiles writes the corpus with -update and otherwise checks
// that every generated file is on disk (the bytes may differ with the zlib
// of another Go release, so they are not compared).
func TestPDFCorpusFiles(t *testing.T) {
	t.Parallel()
	for name, data := range pdfCorpus() {
		path := filepath.Join("testdata", "pdf", name)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, data, 0o644))
			continue
		}
		require.FileExists(t, path, "run go test ./internal/docfile -run TestPDFCorpusFiles -update")
	}
}
