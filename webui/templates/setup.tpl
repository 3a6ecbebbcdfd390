% # Every value below is escaped by {{ }}: the lines are whatever the PBX sent.
% rebase('base.tpl', title='Setup', refresh=None)
<h1>Capture setup</h1>

<section>
  <h2>Which driver reads this PBX</h2>
% if not lines:
  <p class="banner warn">No line received yet. Check the cable or the PBX's SMDR/CDR output settings.</p>
% elif not ranking:
  <p class="banner warn">No driver recognises these {{len(lines)}} lines. If the PBX has no driver of its own,
    describe its layout with the <code>generic</code> driver (worked examples in
    <code>provisioning/examples/</code>).</p>
% else:
  <div class="scroll"><table>
    <thead><tr><th>Driver</th><th>PBX</th><th>Confidence</th></tr></thead>
    <tbody>
% names = {d['key']: d['name'] for d in drivers}
% for r in ranking:
      <tr><td><code>{{r['driver']}}</code></td><td>{{names.get(r['driver'], '')}}</td>
        <td class="num">{{'%d %%' % round(r['confidence'] * 100)}}</td></tr>
% end
    </tbody>
  </table></div>
  <p>Put this in the configuration file and restart the appliance:</p>
  <pre>[pbx]
driver = {{ranking[0]['driver']}}</pre>
% end
</section>

% if lines:
<section>
  <h2>Last {{len(lines)}} lines received</h2>
  <div class="scroll"><table class="raw">
    <thead><tr><th>Journal</th><th>Source</th><th>Line</th></tr></thead>
    <tbody>
% for line in lines:
      <tr><td class="num">{{line['ref']}}</td><td>{{line['source']}}</td><td><code>{{line['text']}}</code></td></tr>
% end
    </tbody>
  </table></div>
</section>
% end
