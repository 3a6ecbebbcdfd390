% # Every value below is escaped by {{ }}: the lines are whatever the PBX sent.
% rebase('base.tpl', title=_('Setup'), nav='/setup', refresh=None)
<h1>{{_('Capture setup')}}</h1>
<p><a href="/setup/pbx" id="pbx-wizard">{{_('PBX wizard: choose the link and the driver')}}</a> ·
  <a href="/backup" id="backup-link">{{_('Backup')}}</a> ·
  <a href="/update" id="update-link">{{_('Update')}}</a> ·
  <a href="/ssh" id="ssh-link">{{_('SSH access')}}</a> ·
  <a href="/reset" id="reset-link">{{_('Factory reset')}}</a></p>

% include('sync_status.tpl', sync=sync)

<section>
  <h2>{{_('Which driver reads this PBX')}}</h2>
% if not lines:
  <p class="banner warn">{{_("No line received yet. Check the cable or the PBX's SMDR/CDR output settings.")}}</p>
% elif not ranking:
  <p class="banner warn">{{_('No driver recognises these {n} lines. If the PBX has no driver of its own, describe its layout with the generic driver (worked examples in provisioning/examples/).').format(n=fmt_number(len(lines)))}}</p>
% else:
  <div class="scroll" tabindex="0"><table>
    <thead><tr><th>{{_('Driver')}}</th><th>{{_('PBX')}}</th><th>{{_('Confidence')}}</th></tr></thead>
    <tbody>
% names = {d['key']: _(d['name']) for d in drivers}
% for r in ranking:
      <tr><td><code>{{r['driver']}}</code></td><td>{{names.get(r['driver'], '')}}</td>
        <td class="num">{{'%d %%' % round(r['confidence'] * 100)}}</td></tr>
% end
    </tbody>
  </table></div>
  <form method="post" action="/setup/pbx/driver" class="form" id="use-detected">
    <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="driver" value="{{ranking[0]['driver']}}">
    <p><button type="submit">{{_('Use this driver')}}</button> <code>{{ranking[0]['driver']}}</code>
      · <a href="/setup/pbx">{{_('PBX wizard: choose the link and the driver')}}</a></p>
  </form>
% end
</section>

<section>
  <h2>{{_("This box's web certificate")}}</h2>
% if certificate is None:
  <p class="banner warn">{{_('The web UI is served without TLS ([web] tls = no): passwords cross the network in clear.')}}</p>
% elif 'error' in certificate:
  <p class="banner warn">{{certificate['error']}}</p>
% else:
  <p>{{_('Browsers warn that they do not know this certificate: it was made by the box itself. Compare the SHA-256 fingerprint the browser shows with this one; if they differ, something stands between you and the box.')}}</p>
  <pre class="fingerprint">{{certificate['sha256']}}</pre>
  <p class="muted">{{certificate['file']}}</p>
% end
</section>

% if lines:
<section>
  <h2>{{ngettext('Last {n} line received', 'Last {n} lines received', len(lines)).format(n=fmt_number(len(lines)))}}</h2>
% # the first 20 lines in view, the others (up to 200) collapsed: a page of 200 raw lines is long on a phone
% def raw_table(part):
  <div class="scroll" tabindex="0"><table class="raw">
    <thead><tr><th>{{_('Journal')}}</th><th>{{_('Source')}}</th><th>{{_('Line')}}</th></tr></thead>
    <tbody>
%   for line in part:
      <tr><td class="num">{{line['ref']}}</td><td>{{line['source']}}</td><td><code>{{line['text']}}</code></td></tr>
%   end
    </tbody>
  </table></div>
% end
% raw_table(lines[:20])
% if len(lines) > 20:
  <details class="more-lines"><summary>{{ngettext('Show {n} more line', 'Show {n} more lines', len(lines) - 20).format(n=fmt_number(len(lines) - 20))}}</summary>
% raw_table(lines[20:])
  </details>
% end
</section>
% end
