import { Link } from 'react-router';

/** A notebook's tags as a named list of links, each opening Folium filtered by that tag; nothing when it has none. */
export const TagList = ({ tags, label }: { tags: string[]; label: string }) =>
  tags.length === 0 ? null : (
    <ul className="tag-list" aria-label={label}>
      {tags.map((tag) => (
        <li key={tag}>
          <Link className="tag" to={`/notebooks?tag=${encodeURIComponent(tag)}`}>
            {tag}
          </Link>
        </li>
      ))}
    </ul>
  );
