% # The box's label (webui/label.py): a plain page to print or photograph, large type, no navigation. Every value is escaped.
<!DOCTYPE html>
<html lang="{{language()}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{_('Label')}} · {{hostname}} · Callbox</title>
<link rel="stylesheet" href="/static/label.css">
<link rel="icon" href="data:,">
</head>
<body class="label">
<h1>Callbox <span id="label-hostname">{{hostname}}</span></h1>
% if company or branch:
<p class="label-org" id="label-org">{{' · '.join(x for x in (company, branch) if x)}}</p>
% end
<dl>
  <dt>{{_('Web address')}}</dt>
% for i, url in enumerate(urls):
  <dd class="big" id="label-url-{{i}}">{{url}}</dd>
% end
% if not urls:
  <dd>{{_('No network address yet: connect the network cable (DHCP).')}}</dd>
% end
% if pending:
  <dt>{{_('Setup code (single use, until the first administrator exists)')}}</dt>
% if code:
  <dd class="code" id="label-code">{{code}}</dd>
  <dd>{{_('Open {url} and type it.').format(url=(urls[0] if urls else 'https://ADDRESS/') + 'first-boot')}}</dd>
% else:
  <dd id="label-code-console">{{_("On the box's console (its screen or serial port): this page does not show it on the network.")}}</dd>
% end
% end
% if fingerprint:
  <dt>{{_("The web certificate's SHA-256 fingerprint (compare it with the browser's)")}}</dt>
  <dd class="mono" id="label-fingerprint">{{fingerprint}}</dd>
% end
% if serial:
  <dt>{{_('Serial number')}}</dt>
  <dd class="mono" id="label-serial">{{serial}}</dd>
% end
% if macs:
  <dt>{{_('MAC address')}}</dt>
% for m in macs:
  <dd class="mono" id="label-mac-{{m['interface']}}">{{m['mac']}} ({{m['interface']}})</dd>
% end
% end
</dl>
<p class="label-foot">{{_('Callbox version {version}. Print this page (Ctrl+P) or photograph it.').format(version=version)}}</p>
</body>
</html>
