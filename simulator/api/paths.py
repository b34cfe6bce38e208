"""The platform's API paths (spec section 1), declared once: the routes and the client use these."""

VERIFY = "/rest/httpsessions/callVerify/v1.0"
NOTIFY = "/rest/httpsessions/callnotify/v2.0"
NOTIFY_V1 = "/rest/httpsessions/callnotify/v1.0"  # the official samples still post here
CALLBACK = "/rest/httpsessions/click2Call/v2.0"
STOP = "/rest/httpsessions/callStop/v2.0"
RECORD = "/rest/provision/voice/record/v1.0"
RECORD_FILE = "/voicesim-record/{bucket}/{name}"  # ours: where RECORD's 301 points, standing in for the object store
