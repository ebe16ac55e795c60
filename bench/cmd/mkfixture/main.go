// Command mkfixture writes benchmark fixtures: a JPEG and a PDF of about the
// requested size, both valid for openkyc's document checks.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"log"
	"math/rand/v2"
	"os"
)

func main() {
	size := flag.Int("size", 5<<20, "target size in bytes")
	jpgPath := flag.String("jpeg", "", "write a JPEG here")
	pdfPath := flag.String("pdf", "", "write a PDF here")
	flag.Parse()
	if *jpgPath != "" {
		// Noise compresses badly: grow the side until the file is large enough.
		rng := rand.New(rand.NewPCG(1, 2))
		var b bytes.Buffer
		for side := 1000; ; side += 100 {
			img := image.NewGray(image.Rect(0, 0, side, side))
			for i := range img.Pix {
				img.Pix[i] = uint8(rng.IntN(256))
			}
			b.Reset()
			if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
				log.Fatal(err)
			}
			if b.Len() >= *size {
				break
			}
		}
		must(os.WriteFile(*jpgPath, b.Bytes(), 0o644))
		fmt.Fprintf(os.Stderr, "%s: %d bytes\n", *jpgPath, b.Len())
	}
	if *pdfPath != "" {
		// One binary stream object, as in a scanned statement.
		rng := rand.New(rand.NewPCG(3, 4))
		data := make([]byte, *size-300)
		for i := range data {
			data[i] = uint8(rng.IntN(256))
		}
		data = bytes.ReplaceAll(data, []byte("endstream"), []byte("endstreaM"))
		var b bytes.Buffer
		fmt.Fprintf(&b, "%%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
		fmt.Fprintf(&b, "3 0 obj\n<< /Length %d >>\nstream\n", len(data))
		b.Write(data)
		fmt.Fprintf(&b, "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n")
		must(os.WriteFile(*pdfPath, b.Bytes(), 0o644))
		fmt.Fprintf(os.Stderr, "%s: %d bytes\n", *pdfPath, b.Len())
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
