package main

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdPicture checks a picture ipcx drew: picture png FILE, or picture svg FILE [TEXT...]. A PNG
// must decode with image/png and not be blank (at least 10 colours); an SVG must parse with
// encoding/xml, have an <svg> root, and hold each TEXT in one of its <text> elements.
func cmdPicture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || (args[0] != "png" && args[0] != "svg") || (args[0] == "png" && len(args) != 2) {
		ts.Fatalf("usage: picture png FILE | picture svg FILE [TEXT...]")
	}
	data := []byte(ts.ReadFile(args[1]))
	if args[0] == "png" {
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			ts.Fatalf("%s is no PNG: %v", args[1], err)
		}
		b := img.Bounds()
		if b.Dx() == 0 || b.Dy() == 0 {
			ts.Fatalf("%s: an empty picture (%dx%d)", args[1], b.Dx(), b.Dy())
		}
		colours := map[[3]uint32]bool{}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				colours[[3]uint32{r, g, bl}] = true
			}
		}
		if len(colours) < 10 {
			ts.Fatalf("%s: %d colours: a blank picture", args[1], len(colours))
		}
		ts.Logf("%s: PNG of %dx%d pixels, %d colours", args[1], b.Dx(), b.Dy(), len(colours))
		return
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	var root string
	var texts []string
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			ts.Fatalf("%s does not parse as XML: %v", args[1], err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	if root != "svg" {
		ts.Fatalf("%s: root element <%s>, want <svg>", args[1], root)
	}
	all := strings.Join(texts, "\n")
	for _, want := range args[2:] {
		if !strings.Contains(all, want) {
			ts.Fatalf("%s: no text %q in the picture; its texts:\n%s", args[1], want, all)
		}
	}
	ts.Logf("%s: SVG with %d texts", args[1], len(texts))
}
