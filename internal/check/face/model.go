package face

import (
	"encoding/binary"
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX protobuf field numbers walked by FlushDenormals.
const (
	modelGraph       = 7 // ModelProto.graph
	graphNode        = 1 // GraphProto.node
	graphInitializer = 5 // GraphProto.initializer
	nodeAttribute    = 5 // NodeProto.attribute
	attrTensor       = 5 // AttributeProto.t
	attrGraph        = 6 // AttributeProto.g (subgraphs of If/Loop)
	tensorDataType   = 2 // TensorProto.data_type
	tensorFloatData  = 4 // TensorProto.float_data (packed)
	tensorRawData    = 9 // TensorProto.raw_data
	onnxFloat        = 1 // TensorProto.DataType.FLOAT
)

// FlushDenormals sets every subnormal float32 weight of an ONNX model to
// zero, in place (the encoding keeps its length), and returns how many it
// changed. Subnormal weights make every multiplication by them take the
// CPU's slow path; the fr_* models carry many, and flushing them is worth
// several times the speed with no measurable change in the outputs.
func FlushDenormals(model []byte) (int, error) {
	n := 0
	err := walk(model, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != modelGraph || typ != protowire.BytesType {
			return nil
		}
		c, err := flushGraph(v)
		n += c
		return err
	})
	return n, err
}

// walk calls fn for each field of a message; v is the field's payload
// (a sub-slice of b for length-delimited fields, so fn may edit it).
func walk(b []byte, fn func(protowire.Number, protowire.Type, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errors.New("onnx model: bad field tag")
		}
		b = b[n:]
		var v []byte
		if typ == protowire.BytesType {
			v, n = protowire.ConsumeBytes(b)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n >= 0 {
				v = b[:n]
			}
		}
		if n < 0 {
			return errors.New("onnx model: bad field value")
		}
		b = b[n:]
		if err := fn(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}

func flushGraph(g []byte) (int, error) {
	n := 0
	err := walk(g, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case graphInitializer:
			c, err := flushTensor(v)
			n += c
			return err
		case graphNode:
			return walk(v, func(num protowire.Number, typ protowire.Type, attr []byte) error {
				if num != nodeAttribute || typ != protowire.BytesType {
					return nil
				}
				return walk(attr, func(num protowire.Number, typ protowire.Type, v []byte) error {
					if typ != protowire.BytesType {
						return nil
					}
					var c int
					var err error
					switch num {
					case attrTensor:
						c, err = flushTensor(v)
					case attrGraph:
						c, err = flushGraph(v)
					}
					n += c
					return err
				})
			})
		}
		return nil
	})
	return n, err
}

// flushTensor zeroes the subnormal values of a float tensor's raw_data or
// packed float_data.
func flushTensor(t []byte) (int, error) {
	isFloat := true
	var data [][]byte
	err := walk(t, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == tensorDataType && typ == protowire.VarintType:
			dt, _ := protowire.ConsumeVarint(v)
			isFloat = dt == onnxFloat
		case (num == tensorRawData || num == tensorFloatData) && typ == protowire.BytesType:
			data = append(data, v)
		}
		return nil
	})
	if err != nil || !isFloat {
		return 0, err
	}
	n := 0
	for _, d := range data {
		for i := 0; i+4 <= len(d); i += 4 {
			bits := binary.LittleEndian.Uint32(d[i:])
			if bits&0x7f800000 == 0 && bits&0x007fffff != 0 { // exponent 0, mantissa ≠ 0
				binary.LittleEndian.PutUint32(d[i:], bits&0x80000000)
				n++
			}
		}
	}
	return n, nil
}
