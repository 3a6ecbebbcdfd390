% # The headings of a sortable table (webui.sorting.Sorted `s`): each a link that sorts by it, the largest number or
% # A to Z first, again the other way; aria-sort and an arrow on the sorted one. `extra`: headings that do not sort.
  <thead><tr>
% for text, link, aria, _numeric in s.heads:
    <th{{!' aria-sort="%s"' % aria if aria else ''}}><a href="{{link}}" title="{{_('Sort by this column')}}">{{text}}</a>{{(' ▼' if aria == 'descending' else ' ▲') if aria else ''}}</th>
% end
% for text in get('extra', ()):
    <th>{{text}}</th>
% end
  </tr></thead>
