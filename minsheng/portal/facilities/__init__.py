"""公共设施 on the phone: the page a facility's QR code opens (/h5/f/<public code>/)."""
