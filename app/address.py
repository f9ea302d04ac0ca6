"""Two small browser widgets for keeping a session: the address bar and a file upload.

- :class:`AddressBar` writes the session's settings into the page's address
  (``history.replaceState``: no reload, no new history entry per week), so a reload or a
  copied link carries them (``app.keep.to_query``);
- :class:`UploadBox` is a plain file input; the browser reads the chosen file and sends its
  bytes (base64) with its name and size, and only its first :data:`app.keep.MAX_UPLOAD_BYTES`
  bytes plus one (the server refuses a larger file by its size, see
  ``app.keep.read_scenario_upload``).

Nothing here loads anything from outside the page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

import ipyvue
import solara
import traitlets

from app.keep import MAX_UPLOAD_BYTES

ADDRESS_TEMPLATE = """
<template><span class="orgsim-address" style="display:none"></span></template>
<script>
module.exports = {
  mounted() { this.write(); },
  watch: { query() { this.write(); } },
  methods: {
    write() {
      const url = window.location.pathname + (this.query ? "?" + this.query : "")
        + window.location.hash;
      if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", url);
      }
    },
  },
};
</script>
"""


class AddressBar(ipyvue.VueTemplate):
    """A hidden widget that keeps the page's query string equal to ``query``."""

    template = traitlets.Unicode(ADDRESS_TEMPLATE).tag(sync=True)
    query = traitlets.Unicode("").tag(sync=True)


UPLOAD_TEMPLATE = """
<template>
  <label class="orgsim-upload">
    <span class="orgsim-upload-label">{{ label }}</span>
    <input type="file" accept=".toml,text/plain" class="orgsim-upload-input" @change="picked" />
  </label>
</template>
<script>
module.exports = {
  methods: {
    picked(e) {
      const input = e.target;
      const file = input.files && input.files[0];
      if (!file) { return; }
      const cap = CAP;
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result || "");
        const data = url.slice(url.indexOf(",") + 1);
        this.upload({ name: file.name, size: file.size, data: data });
        input.value = "";  // the same file can be chosen again
      };
      reader.readAsDataURL(file.slice(0, cap + 1));  // a larger file is refused by its size
    },
  },
};
</script>
""".replace("CAP", str(MAX_UPLOAD_BYTES))


class UploadBox(ipyvue.VueTemplate):
    """A file input; calls ``on_upload(name, size, data)`` with the chosen file's bytes."""

    template = traitlets.Unicode(UPLOAD_TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("Open a scenario file (TOML)").tag(sync=True)
    on_upload = traitlets.Any(None)

    def vue_upload(self, data: object) -> None:
        """Called from the page with ``{name, size, data}`` (data: base64 of the bytes read)."""
        if not callable(self.on_upload) or not isinstance(data, dict):
            return
        name = str(data.get("name", ""))[:200]
        try:
            size = int(data.get("size", 0))
            raw = base64.b64decode(str(data.get("data", "")), validate=True)
        except (TypeError, ValueError, binascii.Error):
            size, raw = -1, b""
        self.on_upload(name, size, raw)


@solara.component
def Address(query: str):
    """Keep the address's query string equal to ``query``."""
    AddressBar.element(query=query)


@solara.component
def Upload(label: str, on_upload: Callable[[str, int, bytes], None]):
    """A file input for a scenario file."""
    UploadBox.element(label=label, on_upload=on_upload)
