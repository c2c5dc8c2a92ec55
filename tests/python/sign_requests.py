"""Signs requests with the official Huawei Cloud Python SDK core, for the emulator tests.

Reads a JSON list of requests on stdin, each {"method", "host", "path", "query":
[[name, value], ...], "headers": {name: value}, "body", "ak", "sk"}, and writes a JSON
list on stdout, each {"uri": path and query to send, "headers": headers to send}.
The signing is entirely the SDK's; this script only moves data in and out.
"""

import json
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer


def sign(spec):
    request = SdkRequest(
        method=spec["method"],
        schema="http",
        host=spec["host"],
        resource_path=spec["path"],
        query_params=[tuple(pair) for pair in spec["query"]],
        header_params=dict(spec["headers"]),
        body=spec["body"].encode("utf-8"),
    )
    signed = Signer(BasicCredentials(spec["ak"], spec["sk"])).sign(request)
    return {"uri": signed.uri, "headers": signed.header_params}


def main():
    specs = json.load(sys.stdin)
    json.dump([sign(spec) for spec in specs], sys.stdout)


if __name__ == "__main__":
    main()
