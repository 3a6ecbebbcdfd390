% # The call's way through the queues (issue 15), from queue_log: each queue, the wait, the agents rung, who answered.
% from webui.report_labels import value_text
% if queued:
<h2>{{_('Through the queues')}}</h2>
<div class="scroll" tabindex="0"><table class="report" id="queue-journey">
  <thead><tr><th>{{_('Entered')}}</th><th>{{_('Queue')}}</th><th>{{_('Wait')}}</th><th>{{_('Rung, not answered')}}</th>
    <th>{{_('Outcome')}}</th><th>{{_('Agent')}}</th><th>{{_('Talk')}}</th><th>{{_('Ended by')}}</th></tr></thead>
  <tbody>
% for q in queued:
    <tr><td>{{fmt_datetime(q['entered_utc'], offset)}}</td><td>{{q['queue']}}</td><td class="num">{{fmt_duration(q['wait_s'])}}</td>
      <td class="small">{{', '.join(r['agent'] + (' (%s)' % fmt_duration(r['ms'] // 1000) if r['ms'] else '') for r in q['rings'] if r['event'] == 'RINGNOANSWER')}}</td>
      <td>{{value_text('outcome', q['outcome'] or 'unterminated')}}</td><td>{{q['agent'] or '–'}}</td>
      <td class="num">{{fmt_duration(q['talk_s'])}}</td><td>{{q['end_event']}}{{(' ' + q['transfer_to']) if q['transfer_to'] else ''}}</td></tr>
% end
  </tbody>
</table></div>
% end
