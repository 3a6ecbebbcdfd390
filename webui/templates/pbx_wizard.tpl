% # The PBX wizard (webui/admin/pbx_wizard.py; static/pbx_wizard.js fills the live parts). Every value is escaped.
% rebase('base.tpl', title=_('PBX wizard'), nav='/setup', refresh=None)
<h1>{{_('PBX wizard')}}</h1>
<p>{{_('Connect the PBX, watch its call records arrive, check that the proposed driver reads them, confirm. The choice is written to {file}; capture and the worker restart with it by themselves.').format(file=config_file)}}</p>
% if error:
<p class="banner warn" id="wizard-error">{{error}}</p>
% end
% if chosen and not (pending or reprocessed):
<p class="banner ok" id="done">{{_('Driver {driver} chosen. The worker now reads every line received since the link was chosen; the calls appear on the Calls page.').format(driver=chosen)}} <a href="/calls">{{_('Calls')}}</a></p>
% elif chosen:
<p class="banner ok" id="done">{{_('Driver {driver} chosen. The worker reads the new lines with it.').format(driver=chosen)}} <a href="/calls">{{_('Calls')}}</a></p>
% end
% if pending:
<p class="banner" id="reprocess-pending">{{_('The worker parses the lines again with {driver} as it starts with it, in a few seconds: reload this page to see how it went.').format(driver=pending.get('driver', ''))}}</p>
% elif reprocessed and reprocessed.get('error'):
<p class="banner warn" id="reprocess-result">{{_('The lines were not parsed again with {driver}: {error}').format(driver=reprocessed.get('driver', ''), error=reprocessed['error'])}}</p>
% elif reprocessed:
<p class="banner ok" id="reprocess-result">{{ngettext('{lines} line parsed again with {driver}, replacing what {previous} had made of it (calls: {before} before, {after} now).', '{lines} lines parsed again with {driver}, replacing what {previous} had made of them (calls: {before} before, {after} now).', reprocessed.get('lines', 0)).format(lines=fmt_number(reprocessed.get('lines', 0)), driver=reprocessed.get('driver', ''), previous=reprocessed.get('previous', ''), before=fmt_number(reprocessed.get('calls_before', 0)), after=fmt_number(reprocessed.get('calls_after', 0)))}}</p>
% end
% if confirm:
<section id="driver-change" class="banner warn">
  <h2>{{_('Change the driver from {previous} to {driver}?').format(previous=confirm['previous'], driver=confirm['driver'])}}</h2>
  <p>{{ngettext('This box has read {lines} line from the PBX with {previous} (calls stored: {calls}). New lines will be read with {driver}. The line read so far:', 'This box has read {lines} lines from the PBX with {previous} (calls stored: {calls}). New lines will be read with {driver}. The lines read so far:', confirm['lines']).format(lines=fmt_number(confirm['lines']), calls=fmt_number(confirm['calls']), previous=confirm['previous'], driver=confirm['driver'])}}</p>
  <form method="post" action="/setup/pbx/driver" class="form" id="driver-change-form">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <input type="hidden" name="driver" value="{{confirm['driver']}}">
    <input type="hidden" name="timezone" value="{{confirm['timezone']}}">
    <input type="hidden" name="confirm" value="1">
    <p><label class="check"><input type="radio" name="reprocess" value="all" id="reprocess-all" checked> {{_('Parse them all again with {driver}: the calls {previous} made of them are replaced (not added to), and the reports change with them.').format(driver=confirm['driver'], previous=confirm['previous'])}}{{(' ' + _('The journal holds the lines received since {date}.').format(date=confirm['first'])) if confirm['first'] else ''}}</label></p>
    <p><label class="check"><input type="radio" name="reprocess" value="since" id="reprocess-since"> {{_('Parse again only the lines received since this day:')}}</label> <input type="date" name="since" id="since" value="{{confirm['first']}}" aria-label="{{_('Since')}}"></p>
    <p><label class="check"><input type="radio" name="reprocess" value="none" id="reprocess-none"> {{_('Keep the calls {previous} made; read only new lines with {driver}.').format(previous=confirm['previous'], driver=confirm['driver'])}}</label></p>
    <p class="muted">{{_('Calls in billed periods are not parsed again: reopen the periods first (the Charges and periods page).')}}</p>
    <p><button type="submit" id="change-driver">{{_('Change the driver')}}</button> <a href="/setup/pbx" id="keep-driver">{{_('Cancel')}}</a></p>
  </form>
</section>
% end

<section id="link">
  <h2>{{_('1. The link to the PBX')}}</h2>
% if url:
  <p>{{_('Configured now:')}} <code id="current-url">{{url}}</code></p>
% else:
  <p class="banner warn">{{_('No link chosen yet.')}}</p>
% end
  <form method="post" action="/setup/pbx/link" class="form wizard-link" id="link-form">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <fieldset>
      <legend>{{_('How the PBX sends its call records')}}</legend>
% for kind, label in (('serial', _('Serial port (RS-232, USB adapter)')), ('tcp-listen', _('The PBX connects to this box (TCP)')), ('socket', _('This box connects to the PBX (TCP)')), ('file', _('A file the PBX writes (local or a mounted share)'))):
      <label class="check"><input type="radio" name="kind" value="{{kind}}" id="kind-{{kind}}"{{!' checked' if link.get('kind') == kind else ''}}> {{label}}</label><br>
% end
    </fieldset>
    <fieldset data-kind="serial">
      <legend>{{_('Serial port')}}</legend>
      <label>{{_('Device')}} <input name="device" id="device" list="devices" value="{{link.get('device', devices[0]['device'] if devices else '/dev/ttyUSB0')}}"></label>
      <datalist id="devices">
% for d in devices:
        <option value="{{d['device']}}" label="{{d['description'] or d['path']}}{{' (' + d['path'] + ')' if d['description'] and d['path'] != d['device'] else ''}}">
% end
      </datalist>
      <span class="muted" id="device-count">{{_('Serial ports found: {n}').format(n=len(devices))}}</span>
      <label>{{_('Baud rate')}} <select name="baud" id="baud">
% for b in bauds:
        <option value="{{b}}"{{!' selected' if str(b) == str(link.get('baud', '9600')) else ''}}>{{b}}</option>
% end
      </select></label>
      <label>{{_('Parity')}} <select name="parity">
% for p, label in (('N', _('none, 8 bits')), ('E', _('even, 7 bits')), ('O', _('odd, 7 bits'))):
        <option value="{{p}}"{{!' selected' if link.get('parity', 'N') == p else ''}}>{{label}}</option>
% end
      </select></label>
      <input type="hidden" name="bytesize" value="7">
      <button type="button" id="scan" data-csrf="{{csrf}}">{{_('Scan baud rates')}}</button>
      <span id="scan-result" class="muted"></span>
    </fieldset>
    <fieldset data-kind="tcp-listen">
      <legend>{{_('The PBX connects to this box')}}</legend>
      <label>{{_('Port the PBX sends to')}} <input name="listen_port" id="listen-port" list="listen-ports" inputmode="numeric" value="{{link.get('port', '1150') if link.get('kind') == 'tcp-listen' else '1150'}}"></label>
      <datalist id="listen-ports">
% for p in presets:
% if p['kind'] == 'tcp-listen':
        <option value="{{p['port']}}">{{_(p['name'])}}</option>
% end
% end
      </datalist>
      <label>{{_('Address (0.0.0.0: all)')}} <input name="address" value="{{link.get('address', '0.0.0.0')}}"></label>
    </fieldset>
    <fieldset data-kind="socket">
      <legend>{{_('This box connects to the PBX')}}</legend>
      <label>{{_("PBX address")}} <input name="host" id="host" value="{{link.get('host', '')}}"></label>
      <label>{{_("PBX port")}} <input name="connect_port" id="connect-port" list="connect-ports" inputmode="numeric" value="{{link.get('port', '') if link.get('kind') == 'socket' else ''}}"></label>
      <datalist id="connect-ports">
% for p in presets:
% if p['kind'] == 'socket':
        <option value="{{p['port']}}">{{_(p['name'])}}</option>
% end
% end
      </datalist>
    </fieldset>
    <fieldset data-kind="file">
      <legend>{{_('File or share')}}</legend>
      <label>{{_('Path')}} <input name="path" id="file-path" value="{{link.get('path', '')}}" placeholder="/mnt/pbx/Master.csv"></label>
    </fieldset>
    <p><button type="submit" id="use-link">{{_('Use this link')}}</button></p>
  </form>
</section>

<section id="lines">
  <h2>{{_('2. Lines arriving')}}</h2>
  <p id="capture-state" class="muted"></p>
  <p id="line-count" class="muted"></p>
  <div class="scroll" tabindex="0"><table class="raw">
    <thead><tr><th>{{_('Journal')}}</th><th>{{_('Received')}}</th><th>{{_('Source')}}</th><th>{{_('Line')}}</th></tr></thead>
    <tbody id="raw-lines"></tbody>
  </table></div>
</section>

<section id="ranking-section">
  <h2>{{_('3. Which driver reads them')}}</h2>
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Driver')}}</th><th>{{_('PBX')}}</th><th>{{_('Confidence')}}</th><th></th></tr></thead>
    <tbody id="ranking"></tbody>
  </table></div>
  <h3>{{_('The last records as the driver reads them')}} <code id="preview-driver"></code></h3>
  <p id="preview-error" class="banner warn" hidden></p>
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Journal')}}</th><th>{{_('Start')}}</th><th>{{_('Direction')}}</th><th>{{_('Extension')}}</th><th>{{_('Number')}}</th><th>{{_('Duration (s)')}}</th><th>{{_('Not read because')}}</th></tr></thead>
    <tbody id="preview"></tbody>
  </table></div>
</section>

<section id="confirm">
  <h2>{{_('4. Confirm')}}</h2>
  <form method="post" action="/setup/pbx/driver" class="form" id="driver-form">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <label>{{_('Driver')}} <select name="driver" id="driver">
% for d in drivers:
      <option value="{{d['key']}}"{{!' selected' if d['key'] == driver else ''}}>{{_(d['name'])}} ({{d['key']}})</option>
% end
    </select></label>
    <label>{{_("The PBX clock's time zone (empty: this box's)")}} <input name="timezone" id="timezone" value="{{timezone}}" placeholder="Europe/Istanbul"></label>
    <p><button type="submit" id="use-driver">{{_('Use this driver')}}</button></p>
  </form>
</section>
<script type="application/json" id="wizard-labels">{{!labels}}</script>
<script src="/static/pbx_wizard.js"></script>
