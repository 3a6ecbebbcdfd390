% # The top-N choice of a sortable table (webui.sorting.Sorted `s`): how many rows it shows, as links.
% if s.tops:
<p class="muted small top-n">{{_('Rows shown')}}:
% for i, (label, link, current) in enumerate(s.tops):
  {{'· ' if i else ''}}<a href="{{link}}"{{!' aria-current="true"' if current else ''}}>{{fmt_number(int(label)) if label else _('all')}}</a>
% end
% if s.hidden:
  · {{ngettext('The first {n} of {total} rows.', 'The first {n} of {total} rows.', len(s.rows)).format(n=fmt_number(len(s.rows)), total=fmt_number(s.total))}}
% end
</p>
% end
